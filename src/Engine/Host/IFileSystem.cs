namespace Colabo.Config.Engine.Host;

/// <summary>
/// The file port modules use. Paths are real paths (already resolved under the target root
/// with <see cref="TargetRoot.Resolve"/>). Writes of content are atomic: readers and a crash
/// see the old file or the new one, never part of one.
/// </summary>
public interface IFileSystem
{
    /// <summary>lstat; null when nothing exists at <paramref name="path"/>.</summary>
    FileStatus? GetStatus(string path);

    byte[] ReadAllBytes(string path);

    /// <summary>Names (not paths) of the entries of a directory.</summary>
    IReadOnlyList<string> ListDirectory(string path);

    /// <summary>
    /// Replaces <paramref name="path"/> with a file holding <paramref name="content"/>: a temporary file in
    /// the same directory, fsync, owner and mode set, then rename over the target.
    /// </summary>
    void WriteFileAtomically(string path, ReadOnlySpan<byte> content, int uid, int gid, UnixFileMode mode);

    /// <summary>Creates one directory (the parent must exist) with the given owner and mode.</summary>
    void CreateDirectory(string path, int uid, int gid, UnixFileMode mode);

    /// <summary>lchown: changes the owner of the path itself, not of a link target.</summary>
    void SetOwner(string path, int uid, int gid);

    void SetMode(string path, UnixFileMode mode);

    /// <summary>Removes a file, link or (with <paramref name="recursive"/>) a directory tree; nothing when absent.</summary>
    void Delete(string path, bool recursive);
}
