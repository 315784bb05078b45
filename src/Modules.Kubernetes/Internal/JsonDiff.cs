using System.Text.Json.Nodes;

namespace Colabo.Config.Modules.Kubernetes.Internal;

/// <summary>
/// Field-level differences between two objects after dropping what the server maintains on its own
/// (managedFields, resourceVersion, generation, uid, timestamps, status). Lists compare whole.
/// </summary>
internal static class JsonDiff
{
    private static readonly string[] ServerMetadata =
        ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"];

    public static JsonObject Comparable(JsonObject source)
    {
        var copy = (JsonObject)source.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var key in ServerMetadata)
            {
                metadata.Remove(key);
            }

            if (metadata["annotations"] is JsonObject annotations)
            {
                annotations.Remove("kubectl.kubernetes.io/last-applied-configuration");
                if (annotations.Count == 0)
                {
                    metadata.Remove("annotations");
                }
            }
        }

        return copy;
    }

    /// <summary>(path, before, after) for every differing leaf; a missing side is null.</summary>
    public static List<(string Path, string? Before, string? After)> Leaves(JsonNode? before, JsonNode? after, bool redactValues)
    {
        var result = new List<(string, string?, string?)>();
        Walk("", before, after, redactValues, result);
        return result;
    }

    private static void Walk(string path, JsonNode? before, JsonNode? after, bool redact, List<(string, string?, string?)> result)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        // Descend while at least one side is an object and the other is an object or missing: leaf paths read best.
        if ((before is JsonObject || after is JsonObject) && (before is null or JsonObject) && (after is null or JsonObject))
        {
            var left = before as JsonObject;
            var right = after as JsonObject;
            foreach (var key in (left?.Select(p => p.Key) ?? []).Union(right?.Select(p => p.Key) ?? []).Order(StringComparer.Ordinal))
            {
                Walk(path.Length == 0 ? key : $"{path}.{key}", left?[key], right?[key], redact, result);
            }

            return;
        }

        result.Add((path, Show(before, redact), Show(after, redact)));
    }

    private static string? Show(JsonNode? node, bool redact) =>
        node is null ? null
        : redact ? "(redacted)"
        : node is JsonValue value && value.TryGetValue<string>(out var text) ? text
        : node.ToJsonString();
}
