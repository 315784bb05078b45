using System.Runtime.CompilerServices;
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

    private static readonly ConditionalWeakTable<Catalog, IReadOnlyDictionary<string, DigestedResource>> s_digested = [];
    private static readonly IReadOnlyDictionary<string, DigestedResource> s_none = new Dictionary<string, DigestedResource>();

    /// <summary>
    /// Every resource of the catalog with its digest, computed once per catalog instance: a fleet
    /// on one catalog sends many reports against it, and hashing each resource for each report was
    /// a visible share of ingestion. Catalogs are immutable once compiled and parsed.
    /// </summary>
    public static IReadOnlyDictionary<string, DigestedResource> Digested(Catalog? catalog) =>
        catalog is null ? s_none : s_digested.GetValue(catalog, static c => Index(c).ToDictionary(kv => kv.Key, kv => new DigestedResource(kv.Value, Of(kv.Value)), StringComparer.Ordinal));
}

/// <summary>A catalog resource and the digest of its desired state.</summary>
public sealed record DigestedResource(Resource Resource, string Digest);
