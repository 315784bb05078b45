using System.Runtime.InteropServices;

namespace Colabo.Config.Engine.Host.Internal;

/// <summary>The few libc calls .NET has no API for (owners, lstat with uid/gid). Source-generated, AOT-clean.</summary>
internal static partial class Posix
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial int GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getegid")]
    internal static partial int GetEffectiveGroupId();

    /// <summary>statx without following links; null when the path does not exist.</summary>
    internal static unsafe FileStatus? LStat(string path)
    {
        // struct statx has the same layout on every Linux architecture, unlike struct stat.
        var buffer = stackalloc byte[256];
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return null;
            }

            throw new IOException($"cannot stat '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var uid = *(int*)(buffer + 20);
        var gid = *(int*)(buffer + 24);
        var mode = *(ushort*)(buffer + 28);
        var size = *(long*)(buffer + 40);
        var mtimeSeconds = *(long*)(buffer + 112);
        var mtimeNanos = *(uint*)(buffer + 120);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.File,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        return new FileStatus(kind, size, uid, gid, (UnixFileMode)(mode & 0xFFF), (mtimeSeconds * 10_000_000) + (mtimeNanos / 100));
    }

    internal static void LChown(string path, int uid, int gid)
    {
        if (LchownNative(path, uid, gid) != 0)
        {
            throw new IOException($"cannot change the owner of '{path}' to {uid}:{gid}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }
}
