using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Daemon.Scheduling;

/// <summary>Something the Watch stream (or the daemon itself) asks the daemon loop to do.</summary>
public sealed record DaemonTrigger(DaemonTriggerKind Kind, RunMode Mode = RunMode.Enforce, string Reason = "")
{
    public static DaemonTrigger CatalogChanged(string hash) => new(DaemonTriggerKind.Run, RunMode.Enforce, $"catalog changed ({hash})");

    public static DaemonTrigger RunNow(RunMode mode, string reason) => new(DaemonTriggerKind.Run, mode, reason.Length > 0 ? $"run now: {reason}" : "run now");

    public static DaemonTrigger Renew(string reason) => new(DaemonTriggerKind.Renew, Reason: reason);

    public static DaemonTrigger Revoked(string reason) => new(DaemonTriggerKind.Revoked, Reason: reason);

    public static DaemonTrigger Connected { get; } = new(DaemonTriggerKind.Connected, Reason: "connected");
}

public enum DaemonTriggerKind
{
    /// <summary>Run soon (after a jitter).</summary>
    Run,

    /// <summary>Renew the certificate now.</summary>
    Renew,

    /// <summary>The certificate was revoked: stop.</summary>
    Revoked,

    /// <summary>The Watch stream (re)connected: resend the spool.</summary>
    Connected,
}
