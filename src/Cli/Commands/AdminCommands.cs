using System.CommandLine;

namespace Colabo.Config.Cli.Commands;

/// <summary>The commands that talk to a master (docs/master.md): registered on the root command.</summary>
internal static class AdminCommands
{
    public static void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        AdminConnection.AddConnectionOptions(root);
        foreach (var command in NodeCommands.Create().Concat(DeployCommands.Create()))
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(CertCommand.Create());
        root.Subcommands.Add(SecretCommand.Create());
    }
}
