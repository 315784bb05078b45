using System.Text.Json.Nodes;

namespace Colabo.Config.Modules.Kubernetes.Internal;

/// <summary>Where one object lives: its REST path, and how reports name it ("apps/v1 Deployment web/api").</summary>
internal sealed record ObjectRef(string ApiVersion, string Kind, string? Namespace, string Name, string Resource)
{
    public static ObjectRef Of(ApiResource resource, string? ns, string name) =>
        new(resource.ApiVersion, resource.Kind, resource.Namespaced ? ns : null, name, resource.Resource);

    public static ObjectRef Of(ApiResource resource, JsonObject item) =>
        Of(resource, item["metadata"]?["namespace"]?.GetValue<string>(), item["metadata"]?["name"]?.GetValue<string>() ?? "");

    public string CollectionPath => Base + (Namespace is null ? "" : $"/namespaces/{Namespace}") + "/" + Resource;

    public string Path => $"{CollectionPath}/{Name}";

    public string Display => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";

    public override string ToString() => Display;

    private string Base => ApiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{ApiVersion}" : $"/api/{ApiVersion}";
}
