using System.Text.Json.Nodes;

namespace Colabo.Config.Modules.Kubernetes.Internal;

/// <summary>Whether a Deployment finished rolling out, by the rules `kubectl rollout status` uses.</summary>
internal static class Rollout
{
    /// <summary>Null when complete; otherwise what is still pending, for a person to read.</summary>
    public static string? Pending(JsonObject deployment)
    {
        long Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var n) ? n : 0;
        var generation = Number(deployment["metadata"]?["generation"]);
        var status = deployment["status"];
        var wanted = deployment["spec"]?["replicas"] is { } replicas ? Number(replicas) : 1;
        var observed = Number(status?["observedGeneration"]);
        var updated = Number(status?["updatedReplicas"]);
        var total = Number(status?["replicas"]);
        var available = Number(status?["availableReplicas"]);
        if (observed < generation)
        {
            return $"the controller has not seen generation {generation} yet";
        }

        if (updated < wanted)
        {
            return $"{updated} of {wanted} replicas updated";
        }

        if (total > updated)
        {
            return $"{total - updated} old replicas pending termination";
        }

        return available < updated ? $"{available} of {updated} updated replicas available" : null;
    }
}
