namespace Colabo.Config.Store;

public enum TokenUseOutcome
{
    Accepted,
    Unknown,
    Expired,
    UsedUp,
    Revoked,
}

/// <summary>The result of atomically consuming one use of an enrollment token.</summary>
public sealed record TokenUse(TokenUseOutcome Outcome, EnrollmentTokenRecord? Token);
