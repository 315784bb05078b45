using Colabo.Config.Agent.Cli;
using Colabo.Config.Agent.Daemon.Configuration;
using Colabo.Config.Agent.Daemon.Systemd;

namespace Colabo.Config.Agent.Daemon.Commands;

/// <summary>"colabo-agent daemon": the systemd service (Type=notify).</summary>
public sealed class DaemonCommand : IAgentCommand
{
    public string Name => "daemon";

    public string Summary => "run as the service: enroll, watch the master, run on schedule and on push";

    public string Usage =>
        """
        usage: colabo-agent daemon [--config FILE] [--root DIR]

          --config FILE  agent configuration (default: /etc/colabo/agent.yaml; it must exist)
          --root DIR     converge this directory as if it were '/' (tests, demos)

        Logs go to standard error, one line each with a syslog priority prefix for journald.
        Under systemd it reports READY=1, STATUS= and WATCHDOG=1 through $NOTIFY_SOCKET.
        Stops on SIGTERM/SIGINT. exit status: 0 stopped, 1 unusable configuration or enrollment failed,
        4 the master revoked this node's certificate
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["--config", "--root"], StringComparer.Ordinal);

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal);

    public async Task<int> RunAsync(ArgumentReader arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(error);
        AgentConfig config;
        try
        {
            config = ConfigOption.Load(arguments, required: true);
        }
        catch (AgentConfigException e)
        {
            await error.WriteLineAsync($"colabo-agent daemon: {e.Message}");
            return ExitCodes.Unusable;
        }

        using var notifier = SystemdNotifier.FromEnvironment();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        var daemon = new AgentDaemon(config, new AgentLog(error), notifier, TimeProvider.System);
        return await daemon.RunAsync(stop.Token);
    }
}
