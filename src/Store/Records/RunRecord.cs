namespace Colabo.Config.Store;

/// <summary>One agent run: the summary of a report. (Node, RunId) is the idempotency key.</summary>
public sealed record RunRecord
{
    public required string Node { get; init; }
    public required string RunId { get; init; }
    /// <summary>"enforce" or "noop".</summary>
    public string Mode { get; init; } = "enforce";
    public string CatalogHash { get; init; } = "";
    public string Commit { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public int Total { get; init; }
    public int InSync { get; init; }
    public int Changed { get; init; }
    public int WouldChange { get; init; }
    public int Failed { get; init; }
    public int Skipped { get; init; }
    public int Corrective { get; init; }
    public int Intentional { get; init; }
    /// <summary>"converged", "drifted", "failing" or "pending".</summary>
    public string State { get; init; } = "";
    public string Error { get; init; } = "";
}
