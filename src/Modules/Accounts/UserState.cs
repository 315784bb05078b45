namespace Colabo.Config.Modules.Accounts;

/// <summary>A user as the target root's account files describe it.</summary>
public sealed record UserState(
    string Name,
    uint Uid,
    uint Gid,
    string PrimaryGroup,
    IReadOnlyList<string> Groups,
    string Home,
    string Shell,
    string Comment,
    string PasswordHash);
