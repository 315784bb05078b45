namespace Colabo.Config.Store;

/// <summary>A node as the store keeps it: identity, classification, facts and the last report summary.</summary>
public sealed record NodeRecord
{
    public required string Name { get; init; }
    public string Environment { get; init; } = "main";
    public IReadOnlyList<string> Roles { get; init; } = [];
    /// <summary>The agent's facts in proto3 JSON.</summary>
    public string FactsJson { get; init; } = "{}";
    /// <summary>Hash of the catalog last served to the node.</summary>
    public string CatalogHash { get; init; } = "";
    /// <summary>Hash of the catalog of the node's last report.</summary>
    public string AppliedHash { get; init; } = "";
    public DateTimeOffset EnrolledAt { get; init; }
    public DateTimeOffset? LastSeenAt { get; init; }
    public DateTimeOffset? LastReportAt { get; init; }
    public string LastRunId { get; init; } = "";
    /// <summary>"converged", "drifted", "failing" or "pending"; empty before the first report.</summary>
    public string LastRunState { get; init; } = "";
    public string CertificateSerial { get; init; } = "";
}
