using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;
using Colabo.Config.Store;
using static Colabo.Config.Master.Tests.Support.Reports;

namespace Colabo.Config.Master.Tests.Reports;

/// <summary>
/// Many nodes streaming reports at once over real mutual TLS, on both stores: group commit batches
/// runs of different nodes into one transaction, and every guarantee of a lone report must hold.
/// </summary>
public sealed class ConcurrentReportTests : IAsyncLifetime
{
    private const int Nodes = 12;
    private const int RunsPerNode = 3;
    private readonly string _schema = TestPostgres.NewSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => TestPostgres.DropSchemaAsync(_schema);

    [Fact(Timeout = 120_000)]
    public Task On_SQLite_concurrent_reports_from_many_nodes_are_each_recorded_exactly_once() => ConcurrentReportsLandOnceAsync(null);

    [Fact(Timeout = 120_000)]
    public Task On_PostgreSQL_concurrent_reports_from_many_nodes_are_each_recorded_exactly_once() =>
        ConcurrentReportsLandOnceAsync(o => o with { Postgres = TestPostgres.ConnectionString, PostgresSchema = _schema });

    private static async Task ConcurrentReportsLandOnceAsync(Func<MasterOptions, MasterOptions>? configure)
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo, configure);
        var token = await master.TokenAsync(uses: Nodes);
        var agents = await Task.WhenAll(Enumerable.Range(0, Nodes).Select(n => master.EnrollAsync($"web-{n:00}", token)));
        var hashes = await Task.WhenAll(agents.Select(async a => (await a.GetCatalogAsync()).CatalogHash));
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);

        // Every node reports its runs in order, all nodes at once; each run is sent twice at the same
        // time, as when an agent resends a spooled run whose first stream is still being recorded.
        var acks = await Task.WhenAll(agents.Select(async (agent, n) =>
        {
            var pairs = new List<ReportAck[]>();
            for (var r = 0; r < RunsPerNode; r++)
            {
                var at = t0.AddMinutes(r);
                var run = Run($"run-{r}", hashes[n], at,
                    Outcome("file:/etc/motd", OutcomeStatus.Changed, "defaced\n", "welcome v1\n"),
                    Outcome("package:nginx", OutcomeStatus.InSync));
                pairs.Add(await Task.WhenAll(agent.ReportAsync(run), agent.ReportAsync(run)));
            }
            return pairs;
        }));

        Assert.All(acks.SelectMany(p => p), pair => Assert.Single(pair, ack => !ack.Duplicate));
        Assert.Equal(Nodes * RunsPerNode, master.Host.Metrics.Get("colabo_reports_total", "result=\"recorded\""));
        foreach (var agent in agents)
        {
            var runs = await master.Host.Store.ListRunsAsync(agent.Name, null, 100, CancellationToken.None);
            Assert.Equal(["run-2", "run-1", "run-0"], runs.Select(r => r.RunId));
            var changes = await master.Host.Store.QueryChangesAsync(new ChangeQuery { NodeGlob = agent.Name }, CancellationToken.None);
            // The first change to a resource is intentional; the same desired state changed back again is drift.
            Assert.Equal(["corrective", "corrective", "intentional"], changes.Select(c => c.Class));
            var node = await master.Host.Store.GetNodeAsync(agent.Name, CancellationToken.None);
            Assert.Equal(("run-2", "drifted"), (node!.LastRunId, node.LastRunState));
            var states = await master.Host.Store.GetResourceStatesAsync(agent.Name, CancellationToken.None);
            Assert.Equal(["file:/etc/motd", "package:nginx"], states.Select(s => s.ResourceId));
        }
    }
}
