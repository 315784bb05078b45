using Colabo.Config.Agent.Apply;
using Colabo.Config.Agent.Daemon.Commands;

namespace Colabo.Config.Agent.Cli;

/// <summary>Dispatches "colabo-agent VERB ..." to its command. Add new verbs to <see cref="Commands"/>.</summary>
public static class AgentCommandLine
{
    public static IReadOnlyList<IAgentCommand> Commands { get; } =
    [
        new ApplyCommand(),
        new RunCommand(),
        new StatusCommand(),
        new EnrollCommand(),
        new DaemonCommand(),
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Overview());
            return args.Count == 0 ? ExitCodes.Unusable : ExitCodes.Success;
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            await error.WriteLineAsync($"colabo-agent: unknown command '{args[0]}'\n\n{Overview()}");
            return ExitCodes.Unusable;
        }

        try
        {
            var arguments = ArgumentReader.Parse([.. args.Skip(1)], command.ValueOptions, command.Flags);
            if (arguments.Flag("--help"))
            {
                await output.WriteLineAsync(command.Usage);
                return ExitCodes.Success;
            }

            return await command.RunAsync(arguments, output, error, cancellationToken);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"colabo-agent {command.Name}: {e.Message}\n\n{command.Usage}");
            return ExitCodes.Unusable;
        }
    }

    private static string Overview() =>
        "usage: colabo-agent COMMAND [options]\n\ncommands:\n"
        + string.Join('\n', Commands.Select(c => $"  {c.Name,-10} {c.Summary}"))
        + "\n\nRun 'colabo-agent COMMAND --help' for the options of a command.";
}
