namespace Colabo.Config.Master.Security;

public sealed record TokenRequest
{
    public string NamePattern { get; init; } = "*";
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string Environment { get; init; } = "main";
    public TimeSpan? ExpiresIn { get; init; }
    public int MaxUses { get; init; } = 1;
    public string Description { get; init; } = "";
}

/// <summary>A token just created: the secret (shown once) and what the store keeps.</summary>
public sealed record CreatedToken(string Secret, Colabo.Config.Store.EnrollmentTokenRecord Record);

/// <summary>What enrollment hands the agent.</summary>
public sealed record EnrollmentResult(string NodeName, IssuedCertificate Certificate, string Environment, IReadOnlyList<string> Roles);
