using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;
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
