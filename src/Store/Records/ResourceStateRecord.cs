namespace Colabo.Config.Store;

/// <summary>The last known state of one resource on one node.</summary>
public sealed record ResourceStateRecord
{
    public required string Node { get; init; }
    public required string ResourceId { get; init; }
    public string Kind { get; init; } = "";
    public string Role { get; init; } = "";
    /// <summary>"in_sync", "changed", "would_change", "failed", "skipped".</summary>
    public string Status { get; init; } = "";
    public string Message { get; init; } = "";
    public string RunId { get; init; } = "";
    /// <summary>When this state was recorded; a later report with the same state does not rewrite it.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? LastChangedAt { get; init; }
    public string LastChangeClass { get; init; } = "";
    /// <summary>Digest of the desired state at the last good (in sync or changed, enforced) outcome.</summary>
    public string DesiredDigest { get; init; } = "";
    /// <summary>Catalog hash of the last good outcome.</summary>
    public string CatalogHash { get; init; } = "";
}
