namespace Colabo.Config.Store.Tests;

/// <summary>Report ingestion under concurrency: group commit must keep every guarantee of a single save.</summary>
public abstract partial class StoreConformance
{
    [Fact(Timeout = 60_000)]
    public async Task Concurrent_reports_from_many_nodes_all_land_exactly_once()
    {
        const int nodes = 40;
        const int runsPerNode = 5;
        for (var n = 0; n < nodes; n++)
        {
            await Store.UpsertNodeAsync(Node($"node-{n}"), Ct);
        }

        // Nodes report concurrently; each node's runs come in order (as its actor sends them), and
        // every run is sent twice at once, a resend racing the original.
        var pairs = await Task.WhenAll(Enumerable.Range(0, nodes).Select(async n =>
        {
            var node = $"node-{n}";
            var answers = new List<bool[]>();
            for (var r = 0; r < runsPerNode; r++)
            {
                var at = T0.AddMinutes(r);
                var run = Run(node, $"r{r}", at);
                ChangeRecord[] changes = [Change(node, $"r{r}", "file:/etc/motd", "corrective", at)];
                ResourceStateRecord[] states = [State(node, $"r{r}", "file:/etc/motd", at) with { Status = "changed", LastChangedAt = at }];
                answers.Add(await Task.WhenAll(Store.SaveRunAsync(run, changes, states, Ct), Store.SaveRunAsync(run, changes, states, Ct)));
            }
            return answers;
        }));

        Assert.All(pairs.SelectMany(p => p), pair => Assert.Single(pair, saved => saved));
        Assert.Equal(nodes * runsPerNode, (await Store.QueryChangesAsync(new ChangeQuery { Limit = 10_000 }, Ct)).Count);
        for (var n = 0; n < nodes; n++)
        {
            var node = $"node-{n}";
            Assert.Equal(runsPerNode, (await Store.ListRunsAsync(node, null, 100, Ct)).Count);
            Assert.Equal($"r{runsPerNode - 1}", (await Store.GetNodeAsync(node, Ct))!.LastRunId);
            var state = Assert.Single(await Store.GetResourceStatesAsync(node, Ct));
            Assert.Equal($"r{runsPerNode - 1}", state.RunId);
            Assert.Equal(T0.AddMinutes(runsPerNode - 1), state.LastChangedAt);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_sent_many_times_at_once_is_recorded_once()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        var run = Run("web-1", "r1", T0);
        ChangeRecord[] changes = [Change("web-1", "r1", "file:/etc/motd", "corrective", T0)];
        ResourceStateRecord[] states = [State("web-1", "r1", "file:/etc/motd", T0)];

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Store.SaveRunAsync(run, changes, states, Ct)));

        Assert.Single(answers, saved => saved);
        Assert.Single(await Store.ListRunsAsync("web-1", null, 10, Ct));
        Assert.Single(await Store.ListChangesOfRunAsync("web-1", "r1", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Many_runs_of_one_node_saved_at_once_are_all_recorded_and_the_newest_sets_the_summary()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);

        // Saved together they share batches, so a batch holds several runs of one node. Run i adds a
        // resource: its states are those of every run before it and its own.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Store.SaveRunAsync(
            Run("web-1", $"r{i:00}", T0.AddMinutes(i)),
            [Change("web-1", $"r{i:00}", "file:/etc/motd", "corrective", T0.AddMinutes(i))],
            [.. Enumerable.Range(0, i + 1).Select(j => State("web-1", $"r{j:00}", $"file:/etc/f{j:00}", T0.AddMinutes(j)))], Ct)));

        Assert.All(answers, Assert.True);
        Assert.Equal(20, (await Store.ListRunsAsync("web-1", null, 100, Ct)).Count);
        Assert.Equal(20, (await Store.QueryChangesAsync(new ChangeQuery(), Ct)).Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(j => $"r{j:00}"), (await Store.GetResourceStatesAsync("web-1", Ct)).Select(s => s.RunId));
        Assert.Equal("r19", (await Store.GetNodeAsync("web-1", Ct))!.LastRunId);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_large_run_keeps_every_change_and_every_resource_state()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        var resources = Enumerable.Range(0, 600).Select(i => $"file:/etc/app/{i:000}").ToList();

        var saved = await Store.SaveRunAsync(Run("web-1", "r1", T0),
            [.. resources.Take(250).Select(id => Change("web-1", "r1", id, "intentional", T0))],
            [.. resources.Select(id => State("web-1", "r1", id, T0))], Ct);

        Assert.True(saved);
        Assert.Equal(250, (await Store.ListChangesOfRunAsync("web-1", "r1", Ct)).Count);
        Assert.Equal(resources, (await Store.GetResourceStatesAsync("web-1", Ct)).Select(s => s.ResourceId));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_saved_after_the_store_closed_is_refused_rather_than_acknowledged()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        await Store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.SaveRunAsync(Run("web-1", "r1", T0), [], [], Ct));
    }
}
