using System.CommandLine;
using System.Text;
using Colabo.Config.Cli.Output;
using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Display;

namespace Colabo.Config.Cli.Commands;

/// <summary>
/// <c>colabo diff NODE --repo REPO --facts FILE FROM_REF TO_REF</c>: what would change on a node
/// between two commits, resource by resource and property by property (secrets redacted).
/// </summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var node = new Argument<string>("NODE") { Description = "Node name" };
        var from = new Argument<string>("FROM_REF") { Description = "The commit the node has now (branch, tag or commit)" };
        var to = new Argument<string>("TO_REF") { Description = "The commit to compare with" };
        var repo = OfflineInputs.Repo();
        var facts = OfflineInputs.Facts();
        var secrets = OfflineInputs.Secrets();
        var format = OfflineInputs.Format();
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 3 when the catalogs differ (like git diff --exit-code)" };
        var command = new Command("diff", "Show what would change on a node between two commits of the role repository")
        {
            node, from, to, repo, facts, secrets, format, exitCode,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var nodeName = parse.GetValue(node)!;
                var nodeFacts = OfflineInputs.LoadFacts(parse.GetValue(facts)!);
                var secretValues = OfflineInputs.LoadSecrets(parse.GetValue(secrets));
                var compiler = new CatalogCompiler();
                var results = new List<CompileResult>();
                foreach (var reference in new[] { parse.GetValue(from)!, parse.GetValue(to)! })
                {
                    var snapshot = await OfflineInputs.SnapshotAsync(parse.GetValue(repo)!, reference, ct);
                    results.Add(compiler.Compile(snapshot, nodeName, nodeFacts, secretValues));
                }
                if (results.Any(r => !r.Success))
                {
                    var refs = new[] { parse.GetValue(from), parse.GetValue(to) };
                    for (var i = 0; i < 2; i++)
                    {
                        foreach (var e in results[i].Errors)
                        {
                            await error.WriteLineAsync($"{refs[i]}: {e}");
                        }
                    }
                    return ExitCodes.CompileErrors;
                }
                var (before, after) = (results[0].Catalog!, results[1].Catalog!);
                var diffs = CatalogDiff.Compare(before, after);
                await output.WriteAsync(parse.GetValue(format) == "json" ? RenderJson(nodeName, before, after, diffs) : RenderText(nodeName, before, after, diffs));
                return diffs.Count > 0 && parse.GetValue(exitCode) ? ExitCodes.Differences : ExitCodes.Ok;
            }
            catch (InputException e)
            {
                await error.WriteLineAsync($"colabo diff: {e.Message}");
                return ExitCodes.InputError;
            }
        });
        return command;
    }

    private static string RenderText(string node, Contracts.V1.Catalog before, Contracts.V1.Catalog after, IReadOnlyList<ResourceDiff> diffs)
    {
        var text = new StringBuilder();
        var count = (ResourceDiffKind k) => diffs.Count(d => d.Kind == k);
        text.AppendLine($"node {node}: {before.Commit[..Math.Min(12, before.Commit.Length)]} -> {after.Commit[..Math.Min(12, after.Commit.Length)]}: " +
            $"{count(ResourceDiffKind.Changed)} changed, {count(ResourceDiffKind.Added)} added, {count(ResourceDiffKind.Removed)} removed");
        if (diffs.Count == 0)
        {
            text.AppendLine("no changes");
        }
        foreach (var d in diffs)
        {
            var mark = d.Kind switch { ResourceDiffKind.Added => "+", ResourceDiffKind.Removed => "-", _ => "~" };
            text.AppendLine($"{mark} {d.Id}");
            foreach (var p in d.Properties)
            {
                if (d.Kind != ResourceDiffKind.Changed)
                {
                    CatalogText.AppendProperty(text, "    ", p.Name, p.After ?? p.Before ?? "");
                }
                else if ((p.Before?.Contains('\n', StringComparison.Ordinal) ?? false) || (p.After?.Contains('\n', StringComparison.Ordinal) ?? false))
                {
                    text.AppendLine($"    {p.Name}:");
                    foreach (var line in LineDiff.Lines(p.Before ?? "", p.After ?? ""))
                    {
                        text.AppendLine($"      {line}");
                    }
                }
                else
                {
                    text.AppendLine($"    {p.Name}: {p.Before ?? "(absent)"} -> {p.After ?? "(absent)"}");
                }
            }
        }
        return text.ToString();
    }

    private static string RenderJson(string node, Contracts.V1.Catalog before, Contracts.V1.Catalog after, IReadOnlyList<ResourceDiff> diffs) =>
        Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("node", node);
            foreach (var (name, catalog) in new[] { ("from", before), ("to", after) })
            {
                w.WriteStartObject(name);
                w.WriteString("commit", catalog.Commit);
                w.WriteString("content_hash", catalog.ContentHash);
                w.WriteEndObject();
            }
            w.WriteStartArray("changes");
            foreach (var d in diffs)
            {
                w.WriteStartObject();
                w.WriteString("id", d.Id);
                w.WriteString("change", d.Kind.ToString().ToLowerInvariant());
                w.WriteStartArray("properties");
                foreach (var p in d.Properties)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    if (p.Before is not null)
                    {
                        w.WriteString("before", p.Before);
                    }
                    if (p.After is not null)
                    {
                        w.WriteString("after", p.After);
                    }
                    w.WriteBoolean("secret", p.Secret);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }) + Environment.NewLine;
}
