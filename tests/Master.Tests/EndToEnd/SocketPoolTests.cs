using System.Globalization;
using System.Text.RegularExpressions;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>The master's sockets take their buffers from a pool that keeps only so many idle blocks.</summary>
public sealed partial class SocketPoolTests
{
    [Fact]
    public void A_block_returned_is_reused_and_blocks_beyond_the_idle_bound_are_let_go()
    {
        using var pool = new BoundedBlockMemoryPool(maxIdle: 2);
        var rented = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        var first = rented[0].Memory;

        rented.ForEach(b => b.Dispose());
        var again = pool.Rent();

        Assert.All(rented, b => Assert.Equal(BoundedBlockMemoryPool.BlockSize, b.Memory.Length));
        // Two of the five were kept; the first returned is the first handed out again.
        Assert.Equal(1, pool.IdleCount);
        Assert.True(again.Memory.Span == first.Span);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BoundedBlockMemoryPool.BlockSize + 1));
    }

    [Fact(Timeout = 60_000)]
    public async Task Kestrel_serves_the_master_from_the_bounded_pool()
    {
        await using var master = await TestMaster.StartAsync(await TestRoleRepo.CreateAsync());
        var agent = await master.EnrollAsync("web-1");
        await agent.GetCatalogAsync();
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(master.Host.Paths.AdminToken)).Trim());

        var metrics = await http.GetStringAsync(new Uri(master.Host.Url, "/metrics"));

        var idle = long.Parse(IdleBlocks().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(idle, 1, 1024 * Environment.ProcessorCount * 4);
    }

    [GeneratedRegex(@"^colabo_socket_pool_idle_blocks (\d+)$", RegexOptions.Multiline)]
    private static partial Regex IdleBlocks();
}
