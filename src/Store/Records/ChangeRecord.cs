namespace Colabo.Config.Store;

/// <summary>
/// One entry of the change log: a resource outcome that was not in sync (changed, would change,
/// failed, skipped). (Node, RunId, ResourceId) is unique, so a resent report never duplicates.
/// </summary>
public sealed record ChangeRecord
{
    public required string Node { get; init; }
    public required string RunId { get; init; }
    public required string ResourceId { get; init; }
    public string Kind { get; init; } = "";
    public string Role { get; init; } = "";
    /// <summary>"changed", "would_change", "failed", "skipped".</summary>
    public string Status { get; init; } = "";
    /// <summary>"intentional", "corrective", "pending", "failed" or empty.</summary>
    public string Class { get; init; } = "";
    /// <summary>Property changes in proto3 JSON (a JSON array); secret values already redacted.</summary>
    public string ChangesJson { get; init; } = "[]";
    public string Message { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public string CatalogHash { get; init; } = "";
}
