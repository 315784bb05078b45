using System.Security.Cryptography;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Master.Drift;

/// <summary>
/// The digest of one resource's desired state: the resource without where it was declared (its role
/// and source location), so moving a line in a role file is not a new desired state. This is the
/// definition; <see cref="CatalogDigests"/> computes the same value from a serialized catalog.
/// </summary>
public static class ResourceDigest
{
    public static string Of(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var desired = resource.Clone();
        desired.Source = null;
        desired.Role = "";
        return Convert.ToHexStringLower(SHA256.HashData(desired.ToByteArray()));
    }
}
