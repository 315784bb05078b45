using System.Text;
using Colabo.Config.Compiler.Display;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Cli.Output;

/// <summary>The readable plan: resources grouped by role as a tree, secrets redacted.</summary>
internal static class CatalogText
{
    private const int MaxInlineLines = 40;

    public static string Render(Catalog catalog)
    {
        var text = new StringBuilder();
        var commit = catalog.Commit.Length >= 12 ? catalog.Commit[..12] : catalog.Commit;
        text.AppendLine($"node {catalog.Node}  commit {commit}  {catalog.ContentHash}");
        text.AppendLine($"{catalog.Resources.Count} resources from roles {string.Join(", ", catalog.Roles)}");
        var groups = catalog.Resources.GroupBy(r => r.Role).ToList();
        for (var g = 0; g < groups.Count; g++)
        {
            var lastGroup = g == groups.Count - 1;
            text.AppendLine($"{(lastGroup ? "└─" : "├─")} role {groups[g].Key}");
            var prefix = lastGroup ? "   " : "│  ";
            var resources = groups[g].ToList();
            for (var i = 0; i < resources.Count; i++)
            {
                var r = resources[i];
                var last = i == resources.Count - 1;
                var source = r.Source is null ? "" : $"  ({r.Source.File}:{r.Source.Line}:{r.Source.Column})";
                text.AppendLine($"{prefix}{(last ? "└─" : "├─")} {r.Id}{source}");
                var inner = prefix + (last ? "   " : "│  ");
                foreach (var p in CatalogProperties.Flatten(r))
                {
                    AppendProperty(text, inner, p.Name, p.Value);
                }
            }
        }
        return text.ToString();
    }

    internal static void AppendProperty(StringBuilder text, string indent, string name, string value)
    {
        if (!value.Contains('\n', StringComparison.Ordinal))
        {
            text.AppendLine($"{indent}{name}: {value}");
            return;
        }
        var lines = value.TrimEnd('\n').Split('\n');
        text.AppendLine($"{indent}{name}: ({lines.Length} lines)");
        foreach (var line in lines.Take(MaxInlineLines))
        {
            text.AppendLine($"{indent}  | {line}");
        }
        if (lines.Length > MaxInlineLines)
        {
            text.AppendLine($"{indent}  | ... {lines.Length - MaxInlineLines} more lines");
        }
    }
}
