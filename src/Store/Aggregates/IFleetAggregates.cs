namespace Colabo.Config.Store;

/// <summary>
/// Counts over the change log computed where the data lives, so a fleet-wide view (the web
/// dashboard) stays fast at 10,000 nodes without reading every change record. An optional power of
/// a store: both SQL providers have it.
/// </summary>
public interface IFleetAggregates
{
    /// <summary>Change-log entries since <paramref name="since"/> per time bucket and change class.</summary>
    Task<IReadOnlyList<ChangeBucket>> CountChangesOverTimeAsync(DateTimeOffset since, TimeSpan bucket, CancellationToken cancellationToken);

    /// <summary>Change-log entries per resource (and the role it came from), most corrective first.</summary>
    Task<IReadOnlyList<ResourceChangeCount>> CountChangesByResourceAsync(DateTimeOffset since, string? role, int limit, CancellationToken cancellationToken);

    /// <summary>Change-log entries per role.</summary>
    Task<IReadOnlyList<RoleChangeCount>> CountChangesByRoleAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The nodes on which one resource changed, most corrective first.</summary>
    Task<IReadOnlyList<NodeChangeCount>> CountChangesByNodeAsync(DateTimeOffset since, string resourceId, int limit, CancellationToken cancellationToken);
}
