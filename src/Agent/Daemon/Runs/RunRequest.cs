using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>Why and how to run once.</summary>
public sealed record RunRequest(RunMode Mode, string Reason)
{
    public static RunRequest Scheduled(bool noop) => new(noop ? RunMode.Noop : RunMode.Enforce, "scheduled");
}
