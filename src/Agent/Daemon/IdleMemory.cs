using System.Globalization;
using System.Runtime.InteropServices;

namespace Colabo.Config.Agent.Daemon;

/// <summary>
/// Gives back what the daemon does not need while it waits for the next run (it waits nearly all the
/// time): a compacting, decommitting GC, glibc's <c>malloc_trim</c>, then <c>madvise(MADV_PAGEOUT)</c> over its read-only
/// file-backed mappings: the runtime's and the ReadyToRun code of the single-file binary, OpenSSL. Those
/// pages are clean, so the kernel drops them without any I/O (like Android's compaction of cached apps).
/// While waiting the mappings are also marked MADV_RANDOM, so a page the idle daemon touches does not
/// bring its neighbours back by read-ahead; <see cref="Wake"/> restores normal read-ahead before a run.
/// Writable and anonymous memory is never touched: this is only advice and cannot change what the
/// process reads. Before Linux 5.4 the kernel refuses MADV_PAGEOUT and nothing happens.
/// </summary>
public static partial class IdleMemory
{
    private const int MadvNormal = 0;
    private const int MadvRandom = 1;
    private const int MadvPageout = 21;

    private static readonly Lock s_lock = new();
    private static List<(ulong Start, ulong End)> s_advised = [];

    /// <summary>Returns how many bytes of mappings were paged out (0 when not on Linux).</summary>
    public static long Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        // glibc keeps freed native memory (OpenSSL's, the runtime's) in its arenas; hand it back too.
        try
        {
            MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): nothing to hand back this way.
        }

        lock (s_lock)
        {
            long advised = 0;
            var ranges = new List<(ulong Start, ulong End)>();
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                if (ReadOnlyFileMapping(line) is not { } range)
                {
                    continue;
                }

                if (Advise(range, MadvPageout))
                {
                    advised += (long)(range.End - range.Start);
                    Advise(range, MadvRandom);
                    ranges.Add(range);
                }
            }

            s_advised = ranges;
            return advised;
        }
    }

    /// <summary>A run is about to start: normal read-ahead again, so the code it needs comes back in large reads.</summary>
    public static void Wake()
    {
        lock (s_lock)
        {
            foreach (var range in s_advised)
            {
                Advise(range, MadvNormal);
            }

            s_advised = [];
        }
    }

    /// <summary>"start-end perms offset dev inode path": the range of a file-backed mapping that is not writable, else null.</summary>
    public static (ulong Start, ulong End)? ReadOnlyFileMapping(string mapsLine)
    {
        ArgumentNullException.ThrowIfNull(mapsLine);
        var fields = mapsLine.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        // Only real files: not the runtime's memfd double mapping of JIT'd code (shared memory, which
        // could only go to swap), devices, or files deleted since they were mapped.
        if (fields.Length < 6 || fields[1].Length < 4 || fields[1][1] == 'w' || !fields[5].StartsWith('/')
            || fields[5].StartsWith("/memfd:", StringComparison.Ordinal) || fields[5].StartsWith("/dev/", StringComparison.Ordinal)
            || fields[5].EndsWith("(deleted)", StringComparison.Ordinal))
        {
            return null;
        }

        var dash = fields[0].IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            && ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
            && end > start
                ? (start, end)
                : null;
    }

    private static bool Advise((ulong Start, ulong End) range, int advice) =>
        Madvise((nint)range.Start, (nuint)(range.End - range.Start), advice) == 0;

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
