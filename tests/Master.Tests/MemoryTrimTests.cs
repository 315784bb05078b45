namespace Colabo.Config.Master.Tests;

/// <summary>When the master's memory trim compacts the heap (the full collection itself is the runtime's).</summary>
public sealed class MemoryTrimTests
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static TimeSpan At(int seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_quiet_interval_after_enough_allocation_compacts_once()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 3, allocatedAtTrim: 0, Minute);

        var early = policy.ShouldCompact(3, 300 * MiB, heap: 100 * MiB, At(50));
        var first = policy.ShouldCompact(3, 300 * MiB, heap: 100 * MiB, At(60));
        policy.Compacted(4, 300 * MiB, At(60));
        var next = policy.ShouldCompact(4, 310 * MiB, heap: 100 * MiB, At(130));

        Assert.False(early);
        Assert.True(first);
        Assert.False(next);
    }

    [Fact]
    public void A_full_collection_of_the_runtimes_own_restarts_the_quiet_interval_from_when_it_was_seen()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 3, allocatedAtTrim: 0, Minute);

        // The GC ran full collections while the master was busy, last seen at 70 s.
        var busy = policy.ShouldCompact(5, 900 * MiB, heap: 100 * MiB, At(60));
        var stillBusy = policy.ShouldCompact(6, 950 * MiB, heap: 100 * MiB, At(70));
        var tooSoon = policy.ShouldCompact(6, 950 * MiB, heap: 100 * MiB, At(120));
        var quiet = policy.ShouldCompact(6, 950 * MiB, heap: 100 * MiB, At(130));

        Assert.False(busy);
        Assert.False(stillBusy);
        Assert.False(tooSoon);
        Assert.True(quiet);
    }

    [Fact]
    public void A_busy_moment_without_a_full_collection_is_not_quiet_and_the_next_quiet_check_compacts()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 3, allocatedAtTrim: 0, Minute);

        // No full collection for over a minute, but 300 MiB allocated in the last 10 s: check-ins, say.
        var busy = policy.ShouldCompact(3, 300 * MiB, heap: 100 * MiB, At(70));
        var quiet = policy.ShouldCompact(3, 310 * MiB, heap: 100 * MiB, At(80));

        Assert.False(busy);
        Assert.True(quiet);
    }

    [Fact]
    public void Allocation_must_exceed_the_larger_of_the_minimum_and_the_heap()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 0, allocatedAtTrim: 0, Minute);

        policy.ShouldCompact(0, 200 * MiB, heap: 50 * MiB, At(50));
        Assert.False(policy.ShouldCompact(0, 200 * MiB, heap: 50 * MiB, At(60)));
        policy.ShouldCompact(0, 500 * MiB, heap: 600 * MiB, At(70));
        Assert.False(policy.ShouldCompact(0, 500 * MiB, heap: 600 * MiB, At(80)));
        policy.ShouldCompact(0, 700 * MiB, heap: 600 * MiB, At(90));
        Assert.True(policy.ShouldCompact(0, 700 * MiB, heap: 600 * MiB, At(100)));
    }
}
