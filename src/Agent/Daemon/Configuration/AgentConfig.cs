namespace Colabo.Config.Agent.Daemon.Configuration;

/// <summary>What /etc/colabo/agent.yaml says (docs/agent-daemon.md lists every key and its default).</summary>
public sealed record AgentConfig
{
    public const string DefaultPath = "/etc/colabo/agent.yaml";

    /// <summary>The master's URL ("https://master.example.org:8140"); null until configured or enrolled.</summary>
    public Uri? Master { get; init; }

    /// <summary>The name to enroll as; null means the host's FQDN (or hostname).</summary>
    public string? NodeName { get; init; }

    /// <summary>Informational: the role-repo branch this node follows (the master decides).</summary>
    public string Environment { get; init; } = "main";

    /// <summary>
    /// Wall-clock run interval; each node adds its own splay inside it. Null (not in agent.yaml): the
    /// master's run interval applies, else 30 minutes (see <see cref="Scheduling.RunInterval"/>).
    /// </summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Upper bound of the random delay before a run the master pushed.</summary>
    public TimeSpan PushJitter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>SHA-256 fingerprint of the master CA, pinned for the enrollment call.</summary>
    public string? CaFingerprint { get; init; }

    public string EnrollmentTokenFile { get; init; } = "/etc/colabo/enrollment-token";

    public string StateDir { get; init; } = "/var/lib/colabo";

    /// <summary>The directory converged as "/" (tests and demos use a sandbox).</summary>
    public string Root { get; init; } = "/";

    /// <summary>Every scheduled run in noop mode (report only).</summary>
    public bool Noop { get; init; }

    /// <summary>After each run, give back memory the waiting daemon does not need (see IdleMemory).</summary>
    public bool IdleTrim { get; init; } = true;

    /// <summary>Independent resources converged at once; null = engine default.</summary>
    public int? Parallelism { get; init; }
}
