namespace Colabo.Config.Master.Tests;

/// <summary>When the master's memory trim compacts the heap (the full collection itself is the runtime's).</summary>
public sealed class MemoryTrimTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void A_quiet_interval_after_enough_allocation_compacts_once()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 3, allocatedAtTrim: 0);

        var first = policy.ShouldCompact(3, 300 * MiB, heap: 100 * MiB);
        policy.Compacted(4, 300 * MiB);
        var next = policy.ShouldCompact(4, 310 * MiB, heap: 100 * MiB);

        Assert.True(first);
        Assert.False(next);
    }

    [Fact]
    public void An_interval_with_a_full_collection_of_its_own_is_left_alone_and_the_next_quiet_one_compacts()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 3, allocatedAtTrim: 0);

        var busy = policy.ShouldCompact(5, 900 * MiB, heap: 100 * MiB);
        var quiet = policy.ShouldCompact(5, 900 * MiB, heap: 100 * MiB);

        Assert.False(busy);
        Assert.True(quiet);
    }

    [Fact]
    public void Allocation_must_exceed_the_larger_of_the_minimum_and_the_heap()
    {
        var policy = new MemoryTrim.Policy(fullCollections: 0, allocatedAtTrim: 0);

        Assert.False(policy.ShouldCompact(0, 200 * MiB, heap: 50 * MiB));
        Assert.False(policy.ShouldCompact(0, 500 * MiB, heap: 600 * MiB));
        Assert.True(policy.ShouldCompact(0, 700 * MiB, heap: 600 * MiB));
    }
}
