using Colabo.Config.Agent.Cli;
using Colabo.Config.Agent.Daemon.Configuration;
using Colabo.Config.Agent.Daemon.Facts;
using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Agent.Daemon.Commands;

/// <summary>"colabo-agent enroll": by hand what the daemon does on first start with cloud-init's token.</summary>
public sealed class EnrollCommand : IAgentCommand
{
    public string Name => "enroll";

    public string Summary => "enroll this node at a master with a one-time token";

    public string Usage =>
        """
        usage: colabo-agent enroll --master URL --token TOKEN --ca-fingerprint SHA256 [--name NAME]
                                   [--config FILE] [--force]

          --master URL            the master, https://HOST:PORT
          --token TOKEN           a one-time enrollment token ('colabo token create'); '@FILE' reads it from FILE
          --ca-fingerprint SHA256 the master CA's SHA-256 fingerprint (hex; colons and 'sha256:' allowed)
          --name NAME             node name to request (default: the host's FQDN); must match the token's pattern
          --config FILE           agent configuration, for state_dir (default: /etc/colabo/agent.yaml)
          --force                 replace an existing identity

        A new EC P-256 key is created here and never leaves this host. exit status: 0 enrolled, 1 failed
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["--master", "--token", "--ca-fingerprint", "--name", "--config"], StringComparer.Ordinal);

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>(["--force"], StringComparer.Ordinal);

    public async Task<int> RunAsync(ArgumentReader arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var masterText = arguments.Option("--master") ?? throw new UsageException("--master is required");
        var master = AgentConfigReader.MasterUrl(masterText) ?? throw new UsageException($"--master '{masterText}' is not an https:// URL");
        var token = arguments.Option("--token") ?? throw new UsageException("--token is required");
        var fingerprint = arguments.Option("--ca-fingerprint") ?? throw new UsageException("--ca-fingerprint is required");
        if (token.StartsWith('@'))
        {
            token = await File.ReadAllTextAsync(token[1..], cancellationToken);
        }

        AgentConfig config;
        try
        {
            config = ConfigOption.Load(arguments, required: false);
        }
        catch (AgentConfigException e)
        {
            await error.WriteLineAsync($"colabo-agent enroll: {e.Message}");
            return ExitCodes.Unusable;
        }

        var state = new AgentState(config.StateDir);
        if (state.IsEnrolled && !arguments.Flag("--force"))
        {
            await error.WriteLineAsync($"colabo-agent enroll: this node is already enrolled (identity under {state.Directory}); add --force to replace it");
            return ExitCodes.Unusable;
        }

        try
        {
            var response = await Enroller.EnrollAsync(state, master, token, fingerprint, arguments.Option("--name") ?? config.NodeName, FactsGatherer.Gather(new TargetRoot(config.Root)), cancellationToken);
            await output.WriteLineAsync($"enrolled as {response.NodeName} at {master}; certificate valid until {response.NotAfter?.ToDateTimeOffset():u}; identity stored under {state.Directory}");
            return ExitCodes.Success;
        }
        catch (EnrollmentException e)
        {
            await error.WriteLineAsync($"colabo-agent enroll: {e.Message}");
            return ExitCodes.Unusable;
        }
    }
}
