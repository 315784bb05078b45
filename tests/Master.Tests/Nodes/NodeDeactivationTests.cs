using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;
using static Colabo.Config.Master.Tests.Support.Reports;

namespace Colabo.Config.Master.Tests.Nodes;

/// <summary>Idle node actors leave memory and come back from the store on demand (Orleans-style activation).</summary>
public sealed class NodeDeactivationTests
{
    private static readonly DateTimeOffset T = DomainHarness.Start;
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    [Fact(Timeout = 30_000)]
    public async Task An_actor_idle_for_the_timeout_is_deactivated_and_reactivated_from_the_store_on_the_next_call()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");
        await master.Nodes.Get("web-1").IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, "a", "b")), default);
        master.Time.Advance(Idle - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await master.Nodes.DeactivateIdleAsync());

        master.Time.Advance(TimeSpan.FromSeconds(1));
        var deactivated = await master.Nodes.DeactivateIdleAsync();
        var absent = master.Nodes.Find("web-1");
        var reloaded = await master.Nodes.Get("web-1").GetAsync(default);

        Assert.Equal(1, deactivated);
        Assert.Null(absent);
        Assert.Equal("r1", reloaded!.LastRunId);
        Assert.Equal(1, master.Nodes.ActiveCount);
        Assert.Equal(1, master.Nodes.Deactivations);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_actor_with_an_open_watch_stream_stays_active_however_long_it_is_idle()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");
        var actor = master.Nodes.Get("web-1");
        var watch = actor.Watch();
        master.Time.Advance(Idle * 3);

        Assert.Equal(0, await master.Nodes.DeactivateIdleAsync());
        Assert.Same(actor, master.Nodes.Find("web-1"));

        watch.Dispose();
        Assert.Equal(0, await master.Nodes.DeactivateIdleAsync());
        master.Time.Advance(Idle);
        Assert.Equal(1, await master.Nodes.DeactivateIdleAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_caller_still_holding_a_deactivated_actor_is_served_by_the_new_activation_and_no_report_is_lost()
    {
        await using var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1");
        var stale = master.Nodes.Get("web-1");
        await stale.GetAsync(default);
        master.Time.Advance(Idle);
        Assert.Equal(1, await master.Nodes.DeactivateIdleAsync());

        var ack = await stale.IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.InSync)), default);
        var again = await master.Nodes.Get("web-1").IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.InSync)), default);
        using var watch = stale.Watch();

        var current = master.Nodes.Find("web-1");
        Assert.NotNull(current);
        Assert.NotSame(stale, current);
        Assert.False(ack.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal("r1", (await current.GetAsync(default))!.LastRunId);
        Assert.Equal(1, current.WatchCount);
        Assert.Equal(0, stale.WatchCount);
    }
}
