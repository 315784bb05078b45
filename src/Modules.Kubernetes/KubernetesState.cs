using System.Text.Json.Nodes;
using Colabo.Config.Modules.Kubernetes.Internal;

namespace Colabo.Config.Modules.Kubernetes;

/// <summary>What the cluster holds for one <c>kubernetes</c> resource.</summary>
/// <param name="Objects">Each declared object, in declaration order.</param>
/// <param name="Prunable">Objects carrying this resource's owned-by label that it no longer declares (only with prune).</param>
public sealed record KubernetesState(IReadOnlyList<KubernetesObjectState> Objects, IReadOnlyList<KubernetesPrunable> Prunable);

/// <summary>One declared object.</summary>
/// <param name="Display">"Deployment/web/api", "Namespace/web".</param>
/// <param name="Live">The object as the server holds it; null when it does not exist.</param>
/// <param name="Predicted">What a server-side apply would make of it (a dry run); null when not asked (ensure absent).</param>
/// <param name="RolloutPending">For a Deployment when waiting is on: what its rollout still waits for; null when complete.</param>
public sealed record KubernetesObjectState(string Display, JsonObject? Live, JsonObject? Predicted, string? RolloutPending)
{
    internal ObjectRef Ref { get; init; } = null!;

    internal bool IsSecret => Ref.Kind == "Secret" && Ref.ApiVersion == "v1";
}

/// <summary>An object this resource applied earlier and no longer declares.</summary>
public sealed record KubernetesPrunable(string Display)
{
    internal ObjectRef Ref { get; init; } = null!;
}
