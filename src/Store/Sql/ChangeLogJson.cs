using System.Text.Json;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// A run's change-log entries as one JSON array, the value of its row in <c>run_changes</c>: each entry
/// is an array of its fields in a fixed order,
/// <c>[resource_id, kind, role, status, change_class, changes, message, at]</c> (<c>changes</c> the
/// property changes' JSON as a string, <c>at</c> in Unix milliseconds), and a ninth field, the catalog
/// hash, only when it differs from the row's. Queries take the entries apart in SQL (PostgreSQL's
/// <c>json_array_elements</c>, SQLite's <c>json_each</c>); the run's own listing reads them here.
/// </summary>
public static class ChangeLogJson
{
    /// <summary>What a run's row holds besides node and run id.</summary>
    public readonly record struct Entries(string Json, long FirstAt, long LastAt, string CatalogHash, int Count);

    /// <summary>The entries as one array; when a resource appears twice, the first entry counts.</summary>
    public static Entries Write(IReadOnlyList<ChangeRecord> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var catalogHash = changes.Count == 0 ? "" : changes[0].CatalogHash;
        var seen = changes.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        long first = long.MaxValue, last = long.MinValue;
        var count = 0;
        var buffer = JsonTextBuffer.Take();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var change in changes)
            {
                if (seen is not null && !seen.Add(change.ResourceId))
                {
                    continue;
                }
                var at = change.At.ToUnixTimeMilliseconds();
                first = Math.Min(first, at);
                last = Math.Max(last, at);
                count++;
                writer.WriteStartArray();
                writer.WriteStringValue(change.ResourceId);
                writer.WriteStringValue(change.Kind);
                writer.WriteStringValue(change.Role);
                writer.WriteStringValue(change.Status);
                writer.WriteStringValue(change.Class);
                writer.WriteStringValue(change.ChangesJson);
                writer.WriteStringValue(change.Message);
                writer.WriteNumberValue(at);
                if (!string.Equals(change.CatalogHash, catalogHash, StringComparison.Ordinal))
                {
                    writer.WriteStringValue(change.CatalogHash);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        var json = JsonTextBuffer.Text(buffer);
        return new Entries(json, count == 0 ? 0 : first, count == 0 ? 0 : last, catalogHash, count);
    }

    /// <summary>The entries of one run in resource id order (ordinal), from UTF-8 text.</summary>
    /// <exception cref="InvalidDataException">The text is not an array of entries.</exception>
    public static List<ChangeRecord> Read(string node, string runId, string catalogHash, ReadOnlySpan<byte> utf8)
    {
        var changes = new List<ChangeRecord>();
        try
        {
            var reader = new Utf8JsonReader(utf8);
            Expect(ref reader, JsonTokenType.StartArray, node, runId);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
            {
                var resourceId = JsonArrayFields.Text(ref reader);
                var kind = JsonArrayFields.Text(ref reader);
                var role = JsonArrayFields.Text(ref reader);
                var status = JsonArrayFields.Text(ref reader);
                var changeClass = JsonArrayFields.Text(ref reader);
                var changesJson = JsonArrayFields.Text(ref reader);
                var message = JsonArrayFields.Text(ref reader);
                var at = JsonArrayFields.Number(ref reader) ?? 0;
                var ownCatalog = JsonArrayFields.Text(ref reader);
                changes.Add(new ChangeRecord
                {
                    Node = node,
                    RunId = runId,
                    ResourceId = resourceId,
                    Kind = kind,
                    Role = role,
                    Status = status,
                    Class = changeClass,
                    ChangesJson = changesJson.Length == 0 ? "[]" : changesJson,
                    Message = message,
                    At = DateTimeOffset.FromUnixTimeMilliseconds(at),
                    CatalogHash = ownCatalog.Length == 0 ? catalogHash : ownCatalog,
                });
                JsonArrayFields.SkipRest(ref reader);
            }
            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new InvalidDataException($"The change log of run '{runId}' of node '{node}' is not a JSON array of arrays.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The change log of run '{runId}' of node '{node}' is not valid JSON: {e.Message}", e);
        }
        changes.Sort((a, b) => string.CompareOrdinal(a.ResourceId, b.ResourceId));
        return changes;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string node, string runId)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new InvalidDataException($"The change log of run '{runId}' of node '{node}' is not a JSON array of arrays: expected {type}, found {reader.TokenType}.");
        }
    }
}
