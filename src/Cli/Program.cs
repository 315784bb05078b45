using System.CommandLine;
using Colabo.Config.Cli.Commands;

return await Program.RunAsync(args, Console.Out, Console.Error);

/// <summary>The <c>colabo</c> command line: each command group lives in its own file under Commands/.</summary>
public partial class Program
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("colabo - compile, check and inspect Colabo.Config roles and nodes");
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        AdminCommands.AddTo(root);
        root.Subcommands.Add(BootstrapCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; a usage error (unknown option, missing argument) exits 2, like other input errors.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var parse = BuildRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync($"colabo: {e.Message}");
            }
            await error.WriteLineAsync("Run 'colabo --help' (or 'colabo COMMAND --help') for usage.");
            return ExitCodes.InputError;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}
