namespace Colabo.Config.Engine.Host;

/// <summary>What a file is, as <c>lstat</c> sees it (links are not followed).</summary>
public enum FileKind
{
    File,
    Directory,
    SymbolicLink,
    Other,
}

/// <summary>The metadata of one path. <see cref="Mode"/> holds the permission bits only (incl. setuid/setgid/sticky).</summary>
public sealed record FileStatus(FileKind Kind, long Size, int Uid, int Gid, UnixFileMode Mode, long ModifiedTicks)
{
    /// <summary>The mode as four octal digits, e.g. "0644".</summary>
    public string OctalMode => FileModes.Format(Mode);
}
