using Colabo.Config.Master.Catalogs;

namespace Colabo.Config.Master.Tests.Catalogs;

/// <summary>The catalog archive's caches forget their oldest entries first.</summary>
public sealed class InsertionOrderedCacheTests
{
    [Fact]
    public void A_full_cache_forgets_the_oldest_eighth_and_keeps_everything_newer()
    {
        var cache = new InsertionOrderedCache<int>(capacity: 16);

        // The previous deploy's 16 catalogs, then the next deploy's first 3.
        for (var i = 0; i < 19; i++)
        {
            cache.Set($"c{i}", i);
        }

        // Over capacity at c16 (2 dropped: c0, c1); again at c18 (c2, c3).
        Assert.Equal(15, cache.Count);
        Assert.All(Enumerable.Range(0, 4), i => Assert.False(cache.ContainsKey($"c{i}")));
        Assert.All(Enumerable.Range(4, 15), i => Assert.True(cache.TryGetValue($"c{i}", out var v) && v == i));
    }

    [Fact]
    public void Replacing_an_entry_keeps_its_place_and_its_new_value()
    {
        var cache = new InsertionOrderedCache<string>(capacity: 8);
        for (var i = 0; i < 8; i++)
        {
            cache.Set($"c{i}", "old");
        }

        cache.Set("c0", "new");
        Assert.True(cache.TryGetValue("c0", out var value));
        Assert.Equal("new", value);

        cache.Set("c8", "x");
        Assert.False(cache.ContainsKey("c0"));
        Assert.True(cache.ContainsKey("c1"));
        Assert.Equal(8, cache.Count);
    }
}
