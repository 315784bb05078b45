using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Compiler.Display;

/// <summary>Resource-by-resource, property-by-property difference of two catalogs (e.g. two commits).</summary>
public static class CatalogDiff
{
    public static IReadOnlyList<ResourceDiff> Compare(Catalog? before, Catalog? after)
    {
        var old = (before?.Resources ?? []).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var now = (after?.Resources ?? []).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var diffs = new List<ResourceDiff>();
        foreach (var r in after?.Resources ?? [])
        {
            if (!old.TryGetValue(r.Id, out var previous))
            {
                diffs.Add(new ResourceDiff(r.Id, ResourceDiffKind.Added,
                    CatalogProperties.Flatten(r).Select(p => new PropertyDiffEntry(p.Name, null, p.Value, p.Secret)).ToList()));
                continue;
            }
            var changes = Properties(previous, r);
            if (changes.Count > 0)
            {
                diffs.Add(new ResourceDiff(r.Id, ResourceDiffKind.Changed, changes));
            }
        }
        foreach (var r in before?.Resources ?? [])
        {
            if (!now.ContainsKey(r.Id))
            {
                diffs.Add(new ResourceDiff(r.Id, ResourceDiffKind.Removed,
                    CatalogProperties.Flatten(r).Select(p => new PropertyDiffEntry(p.Name, p.Value, null, p.Secret)).ToList()));
            }
        }
        return diffs;
    }

    private static List<PropertyDiffEntry> Properties(Resource before, Resource after)
    {
        var old = CatalogProperties.Flatten(before).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var now = CatalogProperties.Flatten(after).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var changes = new List<PropertyDiffEntry>();
        foreach (var name in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            old.TryGetValue(name, out var b);
            now.TryGetValue(name, out var a);
            var secret = (b?.Secret ?? false) || (a?.Secret ?? false);
            if (secret)
            {
                // Redacted values compare equal; compare the real values without ever showing them.
                if (b is null || a is null || SecretValue(before, name) != SecretValue(after, name))
                {
                    changes.Add(new PropertyDiffEntry(name, b is null ? null : ResourceProperty.Redacted, a is null ? null : ResourceProperty.Redacted, true));
                }
            }
            else if (b?.Value != a?.Value)
            {
                changes.Add(new PropertyDiffEntry(name, b?.Value, a?.Value, false));
            }
        }
        return changes;
    }

    private static string SecretValue(Resource resource, string name)
    {
        var copy = resource.Clone();
        copy.SecretProperties.Clear();
        return CatalogProperties.Flatten(copy).FirstOrDefault(p => p.Name == name)?.Value ?? "";
    }
}
