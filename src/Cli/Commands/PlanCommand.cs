using System.CommandLine;
using Colabo.Config.Cli.Output;
using Colabo.Config.Compiler;
using Google.Protobuf;

namespace Colabo.Config.Cli.Commands;

/// <summary>
/// <c>colabo plan NODE --repo REPO --facts FILE [--ref REF] [--format json]</c>: the compiled catalog
/// of one node, as a readable tree (secrets redacted) or as proto3 JSON for <c>colabo-agent apply</c>.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var node = new Argument<string>("NODE") { Description = "Node name (as in its certificate, e.g. web-01.example.com)" };
        var repo = OfflineInputs.Repo();
        var facts = OfflineInputs.Facts();
        var reference = new Option<string?>("--ref") { Description = "Branch, tag or commit to compile (default: the files on disk)" };
        var secrets = OfflineInputs.Secrets();
        var format = OfflineInputs.Format();
        var command = new Command("plan", "Compile the catalog of one node offline and show it")
        {
            node, repo, facts, reference, secrets, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var snapshot = await OfflineInputs.SnapshotAsync(parse.GetValue(repo)!, parse.GetValue(reference), ct);
                var result = new CatalogCompiler().Compile(snapshot, parse.GetValue(node)!,
                    OfflineInputs.LoadFacts(parse.GetValue(facts)!), OfflineInputs.LoadSecrets(parse.GetValue(secrets)));
                if (result.Catalog is null)
                {
                    foreach (var e in result.Errors)
                    {
                        await error.WriteLineAsync(e.ToString());
                    }
                    await error.WriteLineAsync($"{result.Errors.Count} error(s); no catalog for {parse.GetValue(node)}");
                    return ExitCodes.CompileErrors;
                }
                if (parse.GetValue(format) == "json")
                {
                    var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation());
                    await output.WriteLineAsync(formatter.Format(result.Catalog));
                }
                else
                {
                    await output.WriteAsync(CatalogText.Render(result.Catalog));
                }
                return ExitCodes.Ok;
            }
            catch (InputException e)
            {
                await error.WriteLineAsync($"colabo plan: {e.Message}");
                return ExitCodes.InputError;
            }
        });
        return command;
    }
}
