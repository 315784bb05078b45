using System.Text.Json;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Reports;
using Google.Protobuf;

namespace Colabo.Config.Master.Catalogs;

/// <summary>What would change between the catalog a node has and another one: resources added, removed, modified (secret values redacted).</summary>
public static class CatalogDiff
{
    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static IReadOnlyList<PlannedChange> Between(Catalog? current, Catalog next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var before = current?.Resources.ToDictionary(r => r.Id, StringComparer.Ordinal) ?? [];
        var changes = new List<PlannedChange>();
        foreach (var resource in next.Resources)
        {
            if (!before.Remove(resource.Id, out var old))
            {
                changes.Add(new PlannedChange { ResourceId = resource.Id, Action = "add" });
                continue;
            }
            var properties = Properties(old, resource);
            if (properties.Count > 0)
            {
                var change = new PlannedChange { ResourceId = resource.Id, Action = "modify" };
                change.Changes.AddRange(properties);
                changes.Add(change);
            }
        }
        changes.AddRange(before.Keys.Order(StringComparer.Ordinal).Select(id => new PlannedChange { ResourceId = id, Action = "remove" }));
        return changes;
    }

    private static List<PropertyChange> Properties(Resource old, Resource next)
    {
        var a = Flatten(old);
        var b = Flatten(next);
        var secret = next.SecretProperties.Concat(old.SecretProperties).ToHashSet(StringComparer.Ordinal);
        var changes = new List<PropertyChange>();
        foreach (var key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            a.TryGetValue(key, out var x);
            b.TryGetValue(key, out var y);
            if (x == y || key is "source" or "role")
            {
                continue;
            }
            var isSecret = secret.Contains(key.Split('.')[^1]);
            var change = new PropertyChange { Property = key, Secret = isSecret };
            if (x is not null)
            {
                change.Before = isSecret ? ReportClassifier.Redacted : x;
            }
            if (y is not null)
            {
                change.After = isSecret ? ReportClassifier.Redacted : y;
            }
            changes.Add(change);
        }
        return changes;
    }

    private static Dictionary<string, string> Flatten(Resource resource)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(s_json.Format(resource));
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object && property.Name is not ("source"))
            {
                foreach (var inner in property.Value.EnumerateObject())
                {
                    values[$"{property.Name}.{inner.Name}"] = inner.Value.ToString();
                }
            }
            else
            {
                values[property.Name] = property.Value.ToString();
            }
        }
        return values;
    }
}
