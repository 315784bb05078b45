using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Master;

/// <summary>
/// Hands memory the master no longer uses back to the system, checked once per interval. A master holding
/// thousands of idle Watch streams allocates so little between bursts that the GC never runs a full
/// collection on its own: the garbage of a connection storm, a deploy or a burst of reports (over 100 MiB at
/// 10,000 agents) would stay committed for hours. So after a quiet interval (no full collection in it) that
/// follows at least <see cref="MinimumAllocation"/> (or the heap's own size, if larger) of allocation since
/// the last trim, the master runs one compacting full collection that also returns the freed space. Then,
/// every interval, glibc's <c>malloc_trim</c> returns the free pages inside malloc's arenas (TLS record
/// buffers OpenSSL released once connections went quiet). A busy master runs its own full collections and
/// is left alone until it quiets down.
/// </summary>
internal static partial class MemoryTrim
{
    public const long MinimumAllocation = 256L * 1024 * 1024;

    public static async Task RunAsync(TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        var policy = new Policy(GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
        var mallocTrim = OperatingSystem.IsLinux();
        while (await timer.WaitForNextTickAsync(stop))
        {
            var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
            if (policy.ShouldCompact(GC.CollectionCount(2), GC.GetTotalAllocatedBytes(), heap))
            {
                var clock = Stopwatch.StartNew();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                logger.LogInformation("Memory trim: managed heap {Before} MiB -> {After} MiB, {Milliseconds} ms",
                    heap >> 20, GC.GetGCMemoryInfo().HeapSizeBytes >> 20, clock.ElapsedMilliseconds);
                policy.Compacted(GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
            }
            if (mallocTrim)
            {
                try
                {
                    MallocTrim(0);
                }
                catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
                {
                    // Not glibc (musl has no malloc_trim).
                    logger.LogDebug("malloc_trim is not available: {Message}", e.Message);
                    mallocTrim = false;
                }
            }
        }
    }

    /// <summary>
    /// When to compact, from what the GC reports at each tick: not in an interval in which the GC ran a full
    /// collection itself (the master is busy, and that collection did the work), and not before more than
    /// <see cref="MinimumAllocation"/> or the heap's size, whichever is larger, was allocated since the last
    /// compaction (nothing much can have become garbage).
    /// </summary>
    internal sealed class Policy(int fullCollections, long allocatedAtTrim)
    {
        private int _fullCollections = fullCollections;
        private long _allocatedAtTrim = allocatedAtTrim;

        public bool ShouldCompact(int fullCollections, long allocated, long heap)
        {
            if (fullCollections != _fullCollections)
            {
                _fullCollections = fullCollections;
                return false;
            }
            return allocated - _allocatedAtTrim > Math.Max(MinimumAllocation, heap);
        }

        /// <summary>Records the compaction just made (itself a full collection).</summary>
        public void Compacted(int fullCollections, long allocated)
        {
            _fullCollections = fullCollections;
            _allocatedAtTrim = allocated;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
