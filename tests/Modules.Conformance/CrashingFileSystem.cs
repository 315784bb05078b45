using System.Collections.Concurrent;
using System.Security.Cryptography;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Modules.Conformance;

/// <summary>
/// A file system that "dies" at its N-th mutating operation, the way a killed agent would: a
/// content write stops half-way through its temporary file (left behind, as after SIGKILL), any
/// other operation does not happen, and every later mutation fails too. Reads keep working.
/// With <c>crashAt</c> 0 it only counts the mutating operations.
/// </summary>
public sealed class CrashingFileSystem(IFileSystem inner, int crashAt) : IFileSystem
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _written = new(StringComparer.Ordinal);
    private int _operations;

    /// <summary>Whether a complete atomic write put exactly this content (SHA-256 hex) at this real path.</summary>
    public bool Wrote(string path, string? sha256) =>
        sha256 is not null && _written.TryGetValue(path, out var contents) && contents.Contains(sha256);

    /// <summary>Mutating operations attempted so far (including the one that crashed).</summary>
    public int Operations => Volatile.Read(ref _operations);

    public bool Crashed => crashAt > 0 && Operations >= crashAt;

    public FileStatus? GetStatus(string path) => inner.GetStatus(path);

    public byte[] ReadAllBytes(string path) => inner.ReadAllBytes(path);

    public IReadOnlyList<string> ListDirectory(string path) => inner.ListDirectory(path);

    public void WriteFileAtomically(string path, ReadOnlySpan<byte> content, int uid, int gid, UnixFileMode mode)
    {
        if (Step())
        {
            // What a kill between write() and rename() leaves: a partial temporary file next to the target.
            var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.crashed.colabo-tmp");
            File.WriteAllBytes(temporary, content[..(content.Length / 2)].ToArray());
            throw new SimulatedCrashException(path);
        }

        inner.WriteFileAtomically(path, content, uid, gid, mode);
        _written.GetOrAdd(path, _ => []).Add(Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    public void CreateDirectory(string path, int uid, int gid, UnixFileMode mode) => Guard(path, () => inner.CreateDirectory(path, uid, gid, mode));

    public void SetOwner(string path, int uid, int gid) => Guard(path, () => inner.SetOwner(path, uid, gid));

    public void SetMode(string path, UnixFileMode mode) => Guard(path, () => inner.SetMode(path, mode));

    public void Delete(string path, bool recursive) => Guard(path, () => inner.Delete(path, recursive));

    private void Guard(string path, Action operation)
    {
        if (Step())
        {
            throw new SimulatedCrashException(path);
        }

        operation();
    }

    private bool Step() => Interlocked.Increment(ref _operations) >= crashAt && crashAt > 0;
}

/// <summary>Thrown where the simulated kill happened.</summary>
public sealed class SimulatedCrashException(string path) : IOException($"simulated crash while changing '{path}'");
