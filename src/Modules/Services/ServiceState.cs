namespace Colabo.Config.Modules.Services;

/// <summary>A systemd unit as <c>systemctl show</c> reports it.</summary>
public sealed record ServiceState(string Unit, string ActiveState, string SubState, string UnitFileState, bool NeedDaemonReload)
{
    /// <summary>Running, or on its way there; "activating" counts so a slow start is not started twice.</summary>
    public bool IsRunning => ActiveState is "active" or "reloading" or "activating";

    public bool IsEnabled => UnitFileState.StartsWith("enabled", StringComparison.Ordinal);
}
