using System.Text.Json;
using System.Text.Json.Nodes;

namespace Colabo.Config.Modules.Kubernetes.Internal;

/// <summary>One object of a <c>kubernetes</c> spec, parsed: apiVersion, kind, namespace and name.</summary>
internal sealed record DeclaredObject(int Index, JsonObject Body, string ApiVersion, string Kind, string? Namespace, string Name)
{
    /// <summary>Parses objects[index]; the error says which object and what is wrong.</summary>
    public static DeclaredObject Parse(string resourceId, int index, string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"{resourceId}: object {index + 1} is not valid JSON: {exception.Message}", exception);
        }

        if (node is not JsonObject body)
        {
            throw new FormatException($"{resourceId}: object {index + 1} is not a JSON object");
        }

        string? Text(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        var apiVersion = Text(body["apiVersion"]) ?? throw new FormatException($"{resourceId}: object {index + 1} has no apiVersion");
        var kind = Text(body["kind"]) ?? throw new FormatException($"{resourceId}: object {index + 1} ({apiVersion}) has no kind");
        var name = Text(body["metadata"]?["name"]) ?? throw new FormatException(
            $"{resourceId}: object {index + 1} ({kind}) has no metadata.name (generateName cannot be applied idempotently)");
        return new DeclaredObject(index, body, apiVersion, kind, Text(body["metadata"]?["namespace"]), name);
    }

    public string Display => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
