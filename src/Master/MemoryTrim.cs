using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Master;

/// <summary>
/// Hands memory the master no longer uses back to the system. A master holding thousands of idle Watch
/// streams allocates so little between bursts that the GC never runs a full collection on its own: the
/// garbage of a connection storm, a deploy or a burst of reports (over 100 MiB at 10,000 agents) would stay
/// committed for hours. So when the master is quiet (a whole interval has passed without a full collection,
/// and it allocated little since the previous check; checked six times per interval, so the wait does not
/// depend on where a burst fell between checks), after at least <see cref="MinimumAllocation"/> (or the
/// heap's own size, if larger) of allocation since the last trim, the master runs one compacting full
/// collection that also returns the freed space. Then, every
/// interval, glibc's <c>malloc_trim</c> returns the free pages inside malloc's arenas (TLS record buffers
/// OpenSSL released once connections went quiet). A busy master runs its own full collections and is left
/// alone until it quiets down.
/// </summary>
internal static partial class MemoryTrim
{
    public const long MinimumAllocation = 256L * 1024 * 1024;

    /// <summary>
    /// At most this much allocated since the previous check counts as quiet (an idle master with 10,000
    /// agents allocates a few MiB in 10 s; answering check-ins, hundreds).
    /// </summary>
    public const long QuietAllocation = 32L * 1024 * 1024;

    private const int ChecksPerInterval = 6;

    public static async Task RunAsync(TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stop)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, interval.Ticks / ChecksPerInterval));
        using var timer = new PeriodicTimer(period, time);
        var started = time.GetTimestamp();
        var policy = new Policy(GC.CollectionCount(2), GC.GetTotalAllocatedBytes(), interval);
        var mallocTrim = OperatingSystem.IsLinux();
        var lastMallocTrim = TimeSpan.Zero;
        while (await timer.WaitForNextTickAsync(stop))
        {
            var now = time.GetElapsedTime(started);
            var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
            if (policy.ShouldCompact(GC.CollectionCount(2), GC.GetTotalAllocatedBytes(), heap, now))
            {
                var clock = Stopwatch.StartNew();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                logger.LogInformation("Memory trim: managed heap {Before} MiB -> {After} MiB, {Milliseconds} ms",
                    heap >> 20, GC.GetGCMemoryInfo().HeapSizeBytes >> 20, clock.ElapsedMilliseconds);
                policy.Compacted(GC.CollectionCount(2), GC.GetTotalAllocatedBytes(), now);
            }
            if (mallocTrim && now - lastMallocTrim >= interval)
            {
                lastMallocTrim = now;
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
    /// When to compact, from what the GC reports at each check (times since the start): not until a whole
    /// <paramref name="quiet"/> interval has passed since the last full collection seen (the master was busy,
    /// and that collection did the work), not while more than <see cref="QuietAllocation"/> was allocated
    /// since the previous check (it is busy now: a pause would stall calls in flight), and not before more than <see cref="MinimumAllocation"/> or the
    /// heap's size, whichever is larger, was allocated since the last compaction (nothing much can have
    /// become garbage).
    /// </summary>
    internal sealed class Policy(int fullCollections, long allocatedAtTrim, TimeSpan quiet)
    {
        private int _fullCollections = fullCollections;
        private long _allocatedAtTrim = allocatedAtTrim;
        private long _allocatedAtCheck = allocatedAtTrim;
        private TimeSpan _lastFullCollection;

        public bool ShouldCompact(int fullCollections, long allocated, long heap, TimeSpan now)
        {
            var recent = allocated - _allocatedAtCheck;
            _allocatedAtCheck = allocated;
            if (fullCollections != _fullCollections)
            {
                _fullCollections = fullCollections;
                _lastFullCollection = now;
                return false;
            }
            return now - _lastFullCollection >= quiet && recent <= QuietAllocation
                && allocated - _allocatedAtTrim > Math.Max(MinimumAllocation, heap);
        }

        /// <summary>Records the compaction just made (itself a full collection).</summary>
        public void Compacted(int fullCollections, long allocated, TimeSpan now)
        {
            _fullCollections = fullCollections;
            _allocatedAtTrim = allocated;
            _allocatedAtCheck = allocated;
            _lastFullCollection = now;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
