using System.CommandLine;
using Colabo.Config.Cli.Commands;

return await Program.BuildRootCommand().Parse(args).InvokeAsync();

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
}
