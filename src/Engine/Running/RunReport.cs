using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Running;

/// <summary>The outcome of a run: one record per resource, in catalog order, and the summary.</summary>
public sealed record RunReport(RunSummary Summary, IReadOnlyList<ResourceOutcome> Outcomes)
{
    public bool HasFailures => Summary.Failed > 0;

    /// <summary>True when a noop run found something to change.</summary>
    public bool HasPendingChanges => Summary.WouldChange > 0;

    public ResourceOutcome this[string resourceId] =>
        Outcomes.FirstOrDefault(o => o.ResourceId == resourceId) ?? throw new KeyNotFoundException($"no outcome for '{resourceId}'");
}
