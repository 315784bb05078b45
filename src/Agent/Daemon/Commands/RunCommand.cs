using Colabo.Config.Agent.Cli;
using Colabo.Config.Agent.Daemon.Configuration;
using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Agent.Daemon.Commands;

/// <summary>"colabo-agent run [--noop]": one run now against the master (or the cached catalog when it is unreachable).</summary>
public sealed class RunCommand : IAgentCommand
{
    public string Name => "run";

    public string Summary => "fetch this node's catalog from the master and converge once, now";

    public string Usage =>
        """
        usage: colabo-agent run [--noop] [--config FILE] [--root DIR]

          --noop         report what would change, change nothing
          --config FILE  agent configuration (default: /etc/colabo/agent.yaml)
          --root DIR     converge this directory as if it were '/' (default: agent.yaml's root, '/')

        The report is streamed to the master; when it cannot be sent it is spooled under the state
        directory and resent by the daemon. Waits for nothing: a run already in progress is an error.

        exit status: 0 in sync or changed (--noop: nothing to do), 2 failures,
                     3 --noop with changes pending, 1 no usable catalog, not enrolled, or a run in progress
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["--config", "--root"], StringComparer.Ordinal);

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>(["--noop"], StringComparer.Ordinal);

    public async Task<int> RunAsync(ArgumentReader arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (arguments.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{arguments.Positionals[0]}'");
        }

        AgentConfig config;
        try
        {
            config = ConfigOption.Load(arguments, required: false);
        }
        catch (AgentConfigException e)
        {
            await error.WriteLineAsync($"colabo-agent run: {e.Message}");
            return ExitCodes.Unusable;
        }

        var state = new AgentState(config.StateDir);
        if (!state.IsEnrolled)
        {
            await error.WriteLineAsync($"colabo-agent run: this node is not enrolled (no identity under {state.Directory}); run 'colabo-agent enroll' first");
            return ExitCodes.Unusable;
        }

        var master = config.Master ?? (File.Exists(state.MasterFile) ? AgentConfigReader.MasterUrl(File.ReadAllText(state.MasterFile).Trim()) : null);
        var log = new AgentLog(error, priorities: false);
        using var connection = master is null ? null : new MasterConnection(master, NodeIdentity.Load(state));
        using var identity = connection is null ? NodeIdentity.Load(state) : null;
        var node = connection?.Identity ?? identity!;
        var printed = new Lock();
        var run = new AgentRun(state, new TargetRoot(Path.GetFullPath(config.Root)), TimeProvider.System, log)
        {
            Parallelism = config.Parallelism,
            // Like `apply`: one line per resource that is not in sync, with its property changes.
            OnOutcome = outcome =>
            {
                lock (printed)
                {
                    output.Write(Apply.ReportWriter.Outcome(outcome, verbose: false));
                }
            },
        };
        try
        {
            if (connection is not null)
            {
                await ResendQuietlyAsync(run, connection, log, cancellationToken);
            }

            var mode = arguments.Flag("--noop") || config.Noop ? RunMode.Noop : RunMode.Enforce;
            var result = await run.ExecuteAsync(connection, node.Ca, node.NodeName, new RunRequest(mode, "colabo-agent run"), cancellationToken);
            await output.WriteLineAsync(StatusCommand.Describe(result.Summary));
            if (!result.Reported)
            {
                await output.WriteLineAsync($"the report could not be sent; it is spooled in {state.SpoolDirectory} and will be resent");
            }

            return result.ExitCode;
        }
        catch (RunLockedException e)
        {
            await error.WriteLineAsync($"colabo-agent run: {e.Message}");
            return ExitCodes.Unusable;
        }
    }

    private static async Task ResendQuietlyAsync(AgentRun run, MasterConnection connection, AgentLog log, CancellationToken cancellationToken)
    {
        try
        {
            await run.ResendSpoolAsync(connection, cancellationToken);
        }
        catch (Rpc.RpcException e)
        {
            log.Warning($"spooled reports stay spooled: {e.StatusCode}: {e.Status.Detail}");
        }
    }
}
