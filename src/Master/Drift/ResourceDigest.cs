using System.Security.Cryptography;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Master.Drift;

/// <summary>
/// The digest of one resource's desired state: the resource without where it was declared, so
/// moving a line in a role file is not a new desired state.
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

    public static IReadOnlyDictionary<string, Resource> Index(Catalog? catalog) =>
        catalog is null ? new Dictionary<string, Resource>() : catalog.Resources.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First());
}
