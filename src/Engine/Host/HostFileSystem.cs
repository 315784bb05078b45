using System.Security.Cryptography;
using Colabo.Config.Engine.Host.Internal;

namespace Colabo.Config.Engine.Host;

/// <summary>The real file system.</summary>
public sealed class HostFileSystem : IFileSystem
{
    private const string TemporarySuffix = ".colabo-tmp";

    public static HostFileSystem Instance { get; } = new();

    /// <summary>
    /// True for the temporary files of <see cref="WriteFileAtomically"/> (".NAME.RANDOM.colabo-tmp").
    /// Only a process killed between create and rename leaves one behind; the target is untouched then.
    /// </summary>
    public static bool IsTemporaryFile(string path) => path.EndsWith(TemporarySuffix, StringComparison.Ordinal);

    public FileStatus? GetStatus(string path) => Posix.LStat(path);

    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);

    public IReadOnlyList<string> ListDirectory(string path)
    {
        var names = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(path))
        {
            names.Add(Path.GetFileName(entry));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public void WriteFileAtomically(string path, ReadOnlySpan<byte> content, int uid, int gid, UnixFileMode mode)
    {
        var directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no parent directory", nameof(path));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}{TemporarySuffix}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // chown clears setuid/setgid, so the owner goes first and the mode last.
            Posix.LChown(temporary, uid, gid);
            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        RemoveLeftoverTemporaries(directory, Path.GetFileName(path));
    }

    /// <summary>
    /// Deletes the temporary files an earlier write of the same target left when its process was
    /// killed between create and rename: the write that just succeeded makes them worthless.
    /// </summary>
    private static void RemoveLeftoverTemporaries(string directory, string name)
    {
        if (name.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            return;
        }

        foreach (var leftover in Directory.EnumerateFiles(directory, $".{name}.*{TemporarySuffix}"))
        {
            try
            {
                File.Delete(leftover);
            }
            catch (IOException)
            {
                // Another writer's live temporary, or gone already: the next write tries again.
            }
        }
    }

    public void CreateDirectory(string path, int uid, int gid, UnixFileMode mode)
    {
        var parent = Path.GetDirectoryName(path);
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new DirectoryNotFoundException($"cannot create '{path}': the parent directory '{parent}' does not exist");
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Posix.LChown(path, uid, gid);
        File.SetUnixFileMode(path, mode);
    }

    public void SetOwner(string path, int uid, int gid) => Posix.LChown(path, uid, gid);

    public void SetMode(string path, UnixFileMode mode) => File.SetUnixFileMode(path, mode);

    public void Delete(string path, bool recursive)
    {
        var status = Posix.LStat(path);
        if (status is null)
        {
            return;
        }

        if (status.Kind == FileKind.Directory)
        {
            Directory.Delete(path, recursive);
        }
        else
        {
            File.Delete(path);
        }
    }
}
