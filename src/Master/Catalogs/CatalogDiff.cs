using Colabo.Config.Compiler.Display;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Catalogs;

/// <summary>
/// What would change between the catalog a node has and another one, for the admin API's plans: the
/// compiler's resource-by-resource diff (the one <c>colabo diff</c> prints), whose property names are
/// the role YAML's and whose secret values are redacted, even when only a secret changed.
/// </summary>
public static class CatalogDiff
{
    public static IReadOnlyList<PlannedChange> Between(Catalog? current, Catalog next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return [.. Compiler.Display.CatalogDiff.Compare(current, next).Select(ToProto)];
    }

    private static PlannedChange ToProto(ResourceDiff diff)
    {
        var change = new PlannedChange
        {
            ResourceId = diff.Id,
            Action = diff.Kind switch
            {
                ResourceDiffKind.Added => "add",
                ResourceDiffKind.Removed => "remove",
                _ => "modify",
            },
        };
        foreach (var property in diff.Properties)
        {
            var entry = new PropertyChange { Property = property.Name, Secret = property.Secret };
            if (property.Before is { } before)
            {
                entry.Before = before;
            }
            if (property.After is { } after)
            {
                entry.After = after;
            }
            change.Changes.Add(entry);
        }
        return change;
    }
}
