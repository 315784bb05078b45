using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;
using static Colabo.Config.Master.Tests.Support.Reports;
using Colabo.Config.Rpc;
using CatalogMessage = Colabo.Config.Contracts.V1.Catalog;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>Two master replicas on one real PostgreSQL serve one fleet (LISTEN/NOTIFY fans events out).</summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    private readonly string _schema = TestPostgres.NewSchema();
    private readonly string _secretsKey = Path.Combine(Directory.CreateTempSubdirectory("colabo-key-").FullName, "secrets.key");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => TestPostgres.DropSchemaAsync(_schema);

    private MasterOptions Replica(MasterOptions options) =>
        options with { Postgres = TestPostgres.ConnectionString, PostgresSchema = _schema, SecretsKeyFile = _secretsKey };

    [Fact(Timeout = 90_000)]
    public async Task A_deploy_and_a_revocation_made_on_replica_A_reach_an_agent_watching_replica_B()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var a = await TestMaster.StartAsync(repo, Replica);
        await using var b = await TestMaster.StartAsync(repo, Replica);
        var agentOnA = await a.EnrollAsync("web-1");
        var clientOnB = new AgentService.AgentServiceClient(b.Channel(agentOnA.Certificate));
        var held = (await clientOnB.GetCatalogAsync(new GetCatalogRequest { Facts = TestMaster.Facts("web-1") }, TestMaster.Deadline())).CatalogHash;
        using var watch = clientOnB.Watch(new WatchRequest { CurrentHash = held }, TestMaster.Deadline(80));
        await watch.ResponseHeadersAsync;

        Assert.Equal(a.Ca.Thumbprint, b.Ca.Thumbprint);
        await repo.CommitAsync("v2", ("roles/base.yaml", TestRoleRepo.Base("welcome v2")));
        var deploy = await a.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var pushed = watch.ResponseStream.Current;
        var fromB = await clientOnB.GetCatalogAsync(new GetCatalogRequest { Facts = TestMaster.Facts("web-1"), CurrentHash = held }, TestMaster.Deadline());

        Assert.Equal(["web-1"], deploy.AffectedNodes);
        Assert.Equal(deploy.Commit, pushed.CatalogChanged.Commit);
        Assert.Equal(pushed.CatalogChanged.CatalogHash, fromB.CatalogHash);
        Assert.Contains(CatalogMessage.Parser.ParseFrom(fromB.Catalog.Catalog).Resources, r => r.File?.Content == "welcome v2\n");

        await a.Admin().RevokeCertificateAsync(new RevokeCertificateRequest { Node = "web-1" }, TestMaster.Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(WatchEvent.EventOneofCase.Revoked, watch.ResponseStream.Current.EventCase);
        var refused = await Assert.ThrowsAnyAsync<RpcException>(async () =>
            await new AgentService.AgentServiceClient(b.Channel(agentOnA.Certificate)).GetCatalogAsync(new GetCatalogRequest(), TestMaster.Deadline()));
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_back_on_replica_A_after_reporting_to_B_is_classified_against_what_B_recorded()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var a = await TestMaster.StartAsync(repo, Replica);
        await using var b = await TestMaster.StartAsync(repo, Replica);
        var onA = await a.EnrollAsync("web-1");
        var onB = onA with { Client = new AgentService.AgentServiceClient(b.Channel(onA.Certificate)) };
        var hash = (await onA.GetCatalogAsync()).CatalogHash;
        var t = DateTimeOffset.UtcNow.AddMinutes(-10);

        // A keeps web-1's resource states from this run; B then records a drift A does not see.
        await onA.ReportAsync(Run("r1", hash, t, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "welcome v1\n")));
        await onB.ReportAsync(Run("r2", hash, t.AddMinutes(1), Outcome("file:/etc/motd", OutcomeStatus.Changed, "defaced\n", "welcome v1\n")));
        // Back on A, the file in sync: A must notice B's run by itself.
        await onA.ReportAsync(Run("r3", hash, t.AddMinutes(2), Outcome("file:/etc/motd", OutcomeStatus.InSync)));
        var detail = await b.Admin().GetNodeAsync(new GetNodeRequest { Name = "web-1" }, TestMaster.Deadline());

        var motd = Assert.Single(detail.Resources);
        // The last change is B's corrective one, not the intentional one A had cached.
        Assert.Equal((OutcomeStatus.InSync, ChangeClass.Corrective, t.AddMinutes(1).ToUnixTimeMilliseconds()),
            (motd.Status, motd.LastChangeClass, motd.LastChangedAt.ToDateTimeOffset().ToUnixTimeMilliseconds()));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_commit_refused_on_replica_A_shows_with_its_errors_in_the_status_replica_B_answers_and_B_clears_it()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var a = await TestMaster.StartAsync(repo, Replica);
        await using var b = await TestMaster.StartAsync(repo, Replica);
        await a.EnrollAsync("web-1");
        var bad = await repo.CommitAsync("broken", ("roles/base.yaml", "resources:\n  - file: etc/motd\n    content: x\n"));

        var refused = await a.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline());
        var seenByB = Assert.Single((await b.Admin().GetRepoStatusAsync(new RepoStatusRequest(), TestMaster.Deadline())).Environments);
        var fixedCommit = await repo.CommitAsync("fixed", ("roles/base.yaml", TestRoleRepo.Base("welcome v3")));
        var published = await b.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline());
        var seenByA = Assert.Single((await a.Admin().GetRepoStatusAsync(new RepoStatusRequest(), TestMaster.Deadline())).Environments);

        Assert.False(refused.Published);
        Assert.Equal(("main", bad), (seenByB.Environment, seenByB.LastFailedCommit));
        var error = Assert.Single(seenByB.LastErrors);
        Assert.Equal(("roles/base.yaml", 2), (error.File, error.Line));
        Assert.NotEqual(bad, seenByB.PublishedCommit);
        Assert.NotNull(seenByB.LastFetchAt);
        Assert.True(published.Published);
        Assert.Equal((fixedCommit, fixedCommit, "", 0), (seenByA.PublishedCommit, seenByA.HeadCommit, seenByA.LastFailedCommit, seenByA.LastErrors.Count));
    }
}
