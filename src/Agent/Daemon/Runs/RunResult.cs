using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>How a run ended: its summary, where the catalog came from, whether the master has the report.</summary>
public sealed record RunResult(RunSummary Summary, CatalogSource Source, bool Reported)
{
    /// <summary>Exit status with the same meaning as "colabo-agent apply".</summary>
    public int ExitCode =>
        Summary.Error.Length > 0 ? Cli.ExitCodes.Unusable
        : Summary.Failed > 0 || Summary.Skipped > 0 ? Cli.ExitCodes.Failures
        : Summary.Mode == RunMode.Noop && Summary.WouldChange > 0 ? Cli.ExitCodes.ChangesPending
        : Cli.ExitCodes.Success;
}
