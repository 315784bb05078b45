using Colabo.Config.Dashboard.Tests.Support;
using Colabo.Config.Master.Dashboard;
using Colabo.Config.Master.Security;
using Colabo.Config.Store;
using Colabo.Config.Store.Sqlite;

namespace Colabo.Config.Dashboard.Tests.Dashboard;

/// <summary>The fleet index over a real SQLite store, on a clock the test moves.</summary>
public sealed class FleetIndexTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-11-20T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _dir = Directory.CreateTempSubdirectory("colabo-fleet-index-").FullName;
    private SqliteConfigStore _store = null!;
    private RevocationList _revocations = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteConfigStore(Path.Combine(_dir, "master.db"));
        await _store.InitializeAsync(CancellationToken.None);
        _revocations = await RevocationList.LoadAsync(_store, CancellationToken.None);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_snapshot_is_reused_while_fresh_served_stale_while_rebuilt_and_awaited_when_too_old()
    {
        var index = new FleetIndex(_store, _revocations, _clock, TimeSpan.FromMinutes(30));
        await AddAsync("a");
        Assert.Single((await index.GetAsync(CancellationToken.None)).Nodes);

        await AddAsync("b");
        var fresh = await index.GetAsync(CancellationToken.None);
        _clock.Advance(FleetIndex.MaxAge);
        var stale = await index.GetAsync(CancellationToken.None);
        await index.WarmAsync(CancellationToken.None); // the rebuild that stale request started
        var rebuilt = await index.GetAsync(CancellationToken.None);

        await AddAsync("c");
        _clock.Advance(FleetIndex.MaxStale);
        var tooOld = await index.GetAsync(CancellationToken.None);

        Assert.Single(fresh.Nodes);
        Assert.Single(stale.Nodes);
        Assert.Equal(["a", "b"], rebuilt.Nodes.Select(n => n.Name));
        Assert.Equal(["a", "b", "c"], tooOld.Nodes.Select(n => n.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_empty_fleet_is_read_again_at_once_so_new_nodes_show_immediately()
    {
        var index = new FleetIndex(_store, _revocations, _clock, TimeSpan.FromMinutes(30));
        await index.WarmAsync(CancellationToken.None);

        await AddAsync("first");
        var snapshot = await index.GetAsync(CancellationToken.None);

        Assert.Equal(["first"], snapshot.Nodes.Select(n => n.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task Facts_are_flattened_under_the_names_roles_use()
    {
        var facts = new Contracts.V1.Facts { Os = "debian", OsFamily = "Debian", Release = "12", Cpus = 4, MemoryBytes = 8L << 30, Cloud = { ["region"] = "eu-west" }, Extra = { ["rack"] = "r12" } };

        var flat = FleetIndex.Flatten(facts);

        Assert.Equal("debian", flat["os.name"]);
        Assert.Equal("Debian", flat["os.family"]);
        Assert.Equal("12", flat["os.release"]);
        Assert.Equal("4", flat["cpus"]);
        Assert.Equal("8192", flat["memory_mb"]);
        Assert.Equal("eu-west", flat["cloud.region"]);
        Assert.Equal("r12", flat["rack"]);
        Assert.False(flat.ContainsKey("kernel"));
    }

    private Task AddAsync(string name) =>
        _store.UpsertNodeAsync(new NodeRecord { Name = name, EnrolledAt = _clock.GetUtcNow() }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        _revocations.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
