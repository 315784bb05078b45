namespace Colabo.Config.Store;

/// <summary>A certificate the master CA issued, and its revocation if any.</summary>
public sealed record CertificateRecord
{
    /// <summary>Serial number, upper-case hex.</summary>
    public required string Serial { get; init; }
    public required string Subject { get; init; }
    /// <summary>"node", "admin", "viewer" or "server".</summary>
    public string Kind { get; init; } = "node";
    public DateTimeOffset NotBefore { get; init; }
    public DateTimeOffset NotAfter { get; init; }
    /// <summary>SHA-256 of the DER, lower-case hex.</summary>
    public string Fingerprint { get; init; } = "";
    public string Pem { get; init; } = "";
    public DateTimeOffset? RevokedAt { get; init; }
    public string RevocationReason { get; init; } = "";
}
