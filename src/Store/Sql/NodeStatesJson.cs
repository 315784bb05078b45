using System.Text.Json;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// A node's last-known resource states as one JSON object, the value of its row in <c>node_states</c>:
/// each resource id maps to an array of its fields in a fixed order,
/// <c>[kind, role, status, message, run_id, updated_at, last_changed_at, last_change_class,
/// desired_digest, catalog_hash]</c> (times in Unix milliseconds, <c>last_changed_at</c> null when never).
/// Arrays, not objects: shorter, and where states are merged in SQL (an upgrade's move of older
/// rows: SQLite's <c>json_patch</c>, PostgreSQL's <c>||</c>) a resource's state is replaced whole.
/// The master writes the object whole; the database stores it as text.
/// </summary>
public static class NodeStatesJson
{
    /// <summary>The states as one object; when a resource appears twice, the later state counts.</summary>
    public static string Write(IEnumerable<ResourceStateRecord> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        var latest = new Dictionary<string, ResourceStateRecord>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var state in states)
        {
            if (!latest.ContainsKey(state.ResourceId))
            {
                order.Add(state.ResourceId);
            }
            latest[state.ResourceId] = state;
        }
        var buffer = JsonTextBuffer.Take();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var id in order)
            {
                var state = latest[id];
                writer.WriteStartArray(id);
                writer.WriteStringValue(state.Kind);
                writer.WriteStringValue(state.Role);
                writer.WriteStringValue(state.Status);
                writer.WriteStringValue(state.Message);
                writer.WriteStringValue(state.RunId);
                writer.WriteNumberValue(state.UpdatedAt.ToUnixTimeMilliseconds());
                if (state.LastChangedAt is { } changed)
                {
                    writer.WriteNumberValue(changed.ToUnixTimeMilliseconds());
                }
                else
                {
                    writer.WriteNullValue();
                }
                writer.WriteStringValue(state.LastChangeClass);
                writer.WriteStringValue(state.DesiredDigest);
                writer.WriteStringValue(state.CatalogHash);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        var json = JsonTextBuffer.Text(buffer);
        return json;
    }

    /// <summary>The states of <paramref name="node"/> in resource id order (ordinal), from UTF-8 text.</summary>
    /// <exception cref="InvalidDataException">The text is not a states object.</exception>
    public static List<ResourceStateRecord> Read(string node, ReadOnlySpan<byte> utf8)
    {
        var states = new List<ResourceStateRecord>();
        var previous = new Previous();
        try
        {
            var reader = new Utf8JsonReader(utf8);
            Expect(ref reader, JsonTokenType.StartObject, node);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var id = reader.GetString()!;
                Expect(ref reader, JsonTokenType.StartArray, node);
                states.Add(new ResourceStateRecord
                {
                    Node = node,
                    ResourceId = id,
                    Kind = Text(ref reader, ref previous.Kind),
                    Role = Text(ref reader, ref previous.Role),
                    Status = Text(ref reader, ref previous.Status),
                    Message = Text(ref reader, ref previous.Message),
                    RunId = Text(ref reader, ref previous.RunId),
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(JsonArrayFields.Number(ref reader) ?? 0),
                    LastChangedAt = JsonArrayFields.Number(ref reader) is { } changed ? DateTimeOffset.FromUnixTimeMilliseconds(changed) : null,
                    LastChangeClass = Text(ref reader, ref previous.LastChangeClass),
                    DesiredDigest = Text(ref reader, ref previous.DesiredDigest),
                    CatalogHash = Text(ref reader, ref previous.CatalogHash),
                });
                JsonArrayFields.SkipRest(ref reader);
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw new InvalidDataException($"The resource states of node '{node}' are not a JSON object of arrays.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The resource states of node '{node}' are not valid JSON: {e.Message}", e);
        }
        states.Sort((a, b) => string.CompareOrdinal(a.ResourceId, b.ResourceId));
        return states;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string node)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new InvalidDataException($"The resource states of node '{node}' are not a JSON object of arrays: expected {type}, found {reader.TokenType}.");
        }
    }

    // A field missing at the end of a shorter array reads as empty. The resources of one node mostly share
    // kind, role, status, run and catalog: a value equal to the previous resource's is that same string.
    private static string Text(ref Utf8JsonReader reader, ref string previous)
    {
        if (!JsonArrayFields.Next(ref reader) || reader.TokenType != JsonTokenType.String)
        {
            return "";
        }
        if (!reader.ValueTextEquals(previous))
        {
            previous = reader.GetString()!;
        }
        return previous;
    }

    private struct Previous()
    {
        public string Kind = "";
        public string Role = "";
        public string Status = "";
        public string Message = "";
        public string RunId = "";
        public string LastChangeClass = "";
        public string DesiredDigest = "";
        public string CatalogHash = "";
    }
}
