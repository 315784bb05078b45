using System.Text.Json.Nodes;

namespace Colabo.Config.Modules.Kubernetes.Internal;

/// <summary>One API resource as discovery lists it: what a kind is called in URLs and whether it lives in a namespace.</summary>
internal sealed record ApiResource(string ApiVersion, string Kind, string Resource, bool Namespaced, IReadOnlyList<string> Verbs);

/// <summary>
/// Maps apiVersion + kind to the REST resource through discovery (GET /api/v1, /apis/GROUP/VERSION),
/// one request per group version, cached for the client's life (one run).
/// </summary>
internal sealed class ApiDiscovery(KubernetesClient client)
{
    private readonly Dictionary<string, IReadOnlyList<ApiResource>?> groupVersions = new(StringComparer.Ordinal);

    public async Task<ApiResource?> FindAsync(string apiVersion, string kind, CancellationToken cancellationToken) =>
        (await ListAsync(apiVersion, cancellationToken))?.FirstOrDefault(r => r.Kind == kind);

    public async Task<ApiResource> RequireAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        var resources = await ListAsync(apiVersion, cancellationToken)
            ?? throw new KubernetesException($"the API server does not serve {apiVersion} (is the CRD or API group installed?)");
        return resources.FirstOrDefault(r => r.Kind == kind)
            ?? throw new KubernetesException($"the API server serves no kind {kind} in {apiVersion}");
    }

    /// <summary>The resources of a group version; null when the server does not serve it.</summary>
    public async Task<IReadOnlyList<ApiResource>?> ListAsync(string apiVersion, CancellationToken cancellationToken)
    {
        if (groupVersions.TryGetValue(apiVersion, out var cached))
        {
            return cached;
        }

        var path = apiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{apiVersion}" : $"/api/{apiVersion}";
        var list = await client.GetAsync(path, cancellationToken);
        IReadOnlyList<ApiResource>? resources = list?["resources"] is JsonArray array
            ? [.. array.OfType<JsonObject>()
                .Select(r => (Name: r["name"]?.GetValue<string>() ?? "", Resource: r))
                .Where(r => r.Name.Length > 0 && !r.Name.Contains('/', StringComparison.Ordinal)) // skip subresources like deployments/status
                .Select(r => new ApiResource(
                    apiVersion,
                    r.Resource["kind"]?.GetValue<string>() ?? "",
                    r.Name,
                    r.Resource["namespaced"]?.GetValue<bool>() ?? false,
                    r.Resource["verbs"] is JsonArray verbs ? [.. verbs.Select(v => v?.GetValue<string>() ?? "")] : []))]
            : null;
        groupVersions[apiVersion] = resources;
        return resources;
    }
}
