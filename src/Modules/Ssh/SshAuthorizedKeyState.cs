namespace Colabo.Config.Modules.Ssh;

/// <summary>
/// A key in a user's ~/.ssh/authorized_keys. <see cref="Line"/> is the line holding the key blob
/// (null when missing); <see cref="UnmanagedKeys"/> is only looked at in exclusive mode. Owners are
/// "uid:gid" (<see cref="UserOwner"/> is the user's own, from /etc/passwd); modes four octal digits;
/// null when the path does not exist.
/// </summary>
public sealed record SshAuthorizedKeyState(
    string User,
    string UserOwner,
    string? Line,
    IReadOnlyList<string> UnmanagedKeys,
    string? DirectoryMode,
    string? DirectoryOwner,
    string? FileMode,
    string? FileOwner);
