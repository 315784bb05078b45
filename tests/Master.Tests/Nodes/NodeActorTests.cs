using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;
using Colabo.Config.Store;
using static Colabo.Config.Master.Tests.Support.Reports;

namespace Colabo.Config.Master.Tests.Nodes;

public sealed class NodeActorTests
{
    private static readonly DateTimeOffset T = DomainHarness.Start;

    [Fact(Timeout = 30_000)]
    public async Task A_resent_report_is_acknowledged_as_a_duplicate_and_stored_once()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");
        var node = master.Nodes.Get("web-1");
        var run = Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, "a", "b"));

        var first = await node.IngestAsync(run, default);
        var again = await node.IngestAsync(run, default);

        Assert.False(first.Duplicate);
        Assert.Equal(1, first.OutcomesRecorded);
        Assert.True(again.Duplicate);
        Assert.Single(await master.Store.ListRunsAsync("web-1", null, 10, default));
        Assert.Single(await master.Store.QueryChangesAsync(new ChangeQuery(), default));
    }

    [Fact(Timeout = 30_000)]
    public async Task Concurrent_reports_to_one_node_are_serialized_and_none_is_lost()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");
        var node = master.Nodes.Get("web-1");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => node.IngestAsync(Run($"r{i:00}", "sha256:v1", T.AddMinutes(i), Outcome("file:/etc/motd", OutcomeStatus.InSync)), default))));

        Assert.Equal(20, (await master.Store.ListRunsAsync("web-1", null, 100, default)).Count);
        Assert.Equal("r19", (await node.GetAsync(default))!.LastRunId);
        Assert.Equal("r19", (await master.Store.GetNodeAsync("web-1", default))!.LastRunId);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_actor_is_activated_from_the_store_after_a_restart()
    {
        string dataDir;
        await using (var first = await DomainHarness.StartAsync())
        {
            dataDir = first.Paths.DataDir;
            await first.EnrollAsync("web-1");
            await first.Nodes.Get("web-1").IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.InSync)), default);
        }

        await using var second = await DomainHarness.StartAsync(dataDir);
        var node = await second.Nodes.Get("web-1").GetAsync(default);

        Assert.Equal("r1", node!.LastRunId);
        Assert.Null(await second.Nodes.Get("unknown").GetAsync(default));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_report_from_a_node_that_is_not_enrolled_is_refused()
    {
        await using var master = await DomainHarness.StartAsync();

        var error = await Assert.ThrowsAsync<MasterException>(() => master.Nodes.Get("ghost").IngestAsync(Run("r1", "h", T), default));

        Assert.Equal(MasterErrorKind.NotFound, error.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_check_in_records_facts_and_the_served_catalog_hash()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");

        await master.Nodes.Get("web-1").RecordCheckInAsync("""{"os":"debian"}""", "sha256:v1", default);

        var stored = await master.Store.GetNodeAsync("web-1", default);
        Assert.Equal(("sha256:v1", """{"os":"debian"}""", T), (stored!.CatalogHash, stored.FactsJson, stored.LastSeenAt!.Value));
    }

    [Fact(Timeout = 30_000)]
    public async Task Events_for_a_node_reach_its_watch_streams_and_a_revocation_ends_them()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");
        var node = master.Nodes.Get("web-1");
        using var watch = node.Watch();
        using var other = master.Nodes.Get("db-1").Watch();

        await master.Store.Events.PublishAsync(new ClusterEvent(ClusterEvent.RunNow, "web-1", "noop"), default);
        await master.Store.Events.PublishAsync(new ClusterEvent(ClusterEvent.CatalogChanged, "web-1", "sha256:v2 abc"), default);
        await master.Store.Events.PublishAsync(new ClusterEvent(ClusterEvent.Revoked, "web-1", "0A"), default);

        var events = new List<WatchEvent>();
        await foreach (var e in watch.Events.ReadAllAsync())
        {
            events.Add(e);
        }
        Assert.Equal(RunMode.Noop, events[0].RunNow.Mode);
        Assert.Equal(("sha256:v2", "abc"), (events[1].CatalogChanged.CatalogHash, events[1].CatalogChanged.Commit));
        Assert.Equal("0A", events[2].Revoked.Serial);
        Assert.Equal(3, events.Count);
        Assert.False(other.Events.TryRead(out _));
        Assert.Equal(2, master.Nodes.ConnectedCount);
    }
}
