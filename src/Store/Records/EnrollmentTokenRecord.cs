namespace Colabo.Config.Store;

/// <summary>An enrollment token. Only the SHA-256 of the secret token is kept.</summary>
public sealed record EnrollmentTokenRecord
{
    public required string Id { get; init; }
    public required string Hash { get; init; }
    public string NamePattern { get; init; } = "*";
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string Environment { get; init; } = "main";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public int MaxUses { get; init; } = 1;
    public int Uses { get; init; }
    public bool Revoked { get; init; }
    public string Description { get; init; } = "";
    public string CreatedBy { get; init; } = "";
}
