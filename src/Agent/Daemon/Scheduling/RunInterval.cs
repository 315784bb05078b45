using System.Globalization;

namespace Colabo.Config.Agent.Daemon.Scheduling;

/// <summary>
/// Which run interval applies: agent.yaml's <c>interval</c> when it is set (the host's operator
/// decided), otherwise the one the master sends with every catalog answer and at enrollment (the
/// fleet's operator decided), otherwise 30 minutes. The master's value is kept in the state
/// directory so a restart while the master is down keeps the same schedule.
/// </summary>
public static class RunInterval
{
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(30);

    /// <summary>Shorter intervals are raised to this (a master typo must not make a fleet spin).</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(10);

    public static TimeSpan Effective(TimeSpan? configured, TimeSpan? fromMaster) => configured ?? fromMaster ?? Default;

    /// <summary>The master's run_interval_seconds; 0 means "the agent's default".</summary>
    public static TimeSpan? FromMaster(uint seconds) =>
        seconds == 0 ? null : TimeSpan.FromSeconds(Math.Max(seconds, Minimum.TotalSeconds));

    /// <summary>The interval last sent by the master, or null when it never sent one.</summary>
    public static TimeSpan? Load(AgentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            return uint.TryParse(File.ReadAllText(state.RunIntervalFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? FromMaster(seconds)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Remembers the master's value (0 forgets it); writes only when it changed.</summary>
    public static void Store(AgentState state, uint seconds)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Load(state) == FromMaster(seconds))
        {
            return;
        }

        if (seconds == 0)
        {
            File.Delete(state.RunIntervalFile);
            return;
        }

        AgentState.WriteAtomically(state.RunIntervalFile, seconds.ToString(CultureInfo.InvariantCulture) + "\n");
    }
}
