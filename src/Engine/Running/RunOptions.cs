using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Running;

/// <summary>How one run behaves.</summary>
public sealed record RunOptions
{
    /// <summary>Enforce changes the host; noop only reports. Resources with <c>audit</c> are always noop.</summary>
    public RunMode Mode { get; init; } = RunMode.Enforce;

    /// <summary>How many independent resources converge at once.</summary>
    public int MaxParallelism { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Per-resource limit (read, apply, verify and refresh together) when the resource sets none.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Report id; a new one when null.</summary>
    public string? RunId { get; init; }

    /// <summary>
    /// Called with each outcome as soon as it is known (one call at a time, in completion order):
    /// the agent daemon streams these to the master while the run goes on.
    /// </summary>
    public Func<ResourceOutcome, CancellationToken, ValueTask>? OnOutcome { get; init; }

    internal bool IsNoop => Mode == RunMode.Noop;
}
