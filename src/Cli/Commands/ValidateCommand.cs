using System.CommandLine;
using Colabo.Config.Cli.Output;
using Colabo.Config.Compiler;

namespace Colabo.Config.Cli.Commands;

/// <summary><c>colabo validate [REPO] [--ref REF] [--format json]</c>: every error of a role repository at once.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var repo = new Argument<string>("REPO")
        {
            Description = "Role repository (default: the current directory)",
            DefaultValueFactory = _ => ".",
        };
        var reference = new Option<string?>("--ref") { Description = "Validate this branch, tag or commit instead of the files on disk" };
        var format = OfflineInputs.Format();
        var command = new Command("validate", "Check a role repository: YAML, roles, classification, and a compile for every node in facts/")
        {
            repo, reference, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var json = parse.GetValue(format) == "json";
            try
            {
                var snapshot = await OfflineInputs.SnapshotAsync(parse.GetValue(repo)!, parse.GetValue(reference), ct);
                var result = RepositoryValidator.Validate(snapshot);
                if (json)
                {
                    await output.WriteLineAsync(Json.Write(w =>
                    {
                        w.WriteStartObject();
                        w.WriteBoolean("valid", result.Success);
                        w.WriteString("commit", snapshot.Commit);
                        w.WriteStartArray("nodes");
                        result.NodesCompiled.ToList().ForEach(w.WriteStringValue);
                        w.WriteEndArray();
                        Json.Errors(w, result.Errors);
                        w.WriteEndObject();
                    }));
                }
                else if (result.Success)
                {
                    await output.WriteLineAsync($"valid: {snapshot.Roles.RoleNames.Count()} roles, compiled for {result.NodesCompiled.Count} example nodes ({string.Join(", ", result.NodesCompiled)})");
                }
                else
                {
                    foreach (var e in result.Errors)
                    {
                        await error.WriteLineAsync(e.ToString());
                    }
                    await error.WriteLineAsync($"{result.Errors.Count} error(s)");
                }
                return result.Success ? ExitCodes.Ok : ExitCodes.CompileErrors;
            }
            catch (InputException e)
            {
                await error.WriteLineAsync($"colabo validate: {e.Message}");
                return ExitCodes.InputError;
            }
        });
        return command;
    }
}
