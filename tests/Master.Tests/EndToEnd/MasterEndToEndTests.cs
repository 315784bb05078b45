using System.Net.Http.Headers;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Tests.Support;
using Colabo.Config.Rpc;
using Grpc.Health.V1;
using static Colabo.Config.Master.Tests.Support.Reports;
using CatalogMessage = Colabo.Config.Contracts.V1.Catalog;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>colabo-master end to end over real mutual TLS on loopback, with a real git role repository.</summary>
public sealed class MasterEndToEndTests
{
    [Fact(Timeout = 60_000)]
    public async Task Health_is_served_anonymously_over_TLS_and_the_data_dir_holds_the_CA_and_admin_credential()
    {
        await using var master = await TestMaster.StartAsync(null);

        var health = new Health.HealthClient(master.Channel(null));
        var reply = await health.CheckAsync(new HealthCheckRequest(), TestMaster.Deadline());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        foreach (var file in new[] { "ca.crt", "ca.key", "server.crt", "admin.crt", "admin.key", "admin.token", "master.url", "master.db" })
        {
            Assert.True(File.Exists(Path.Combine(master.Host.Paths.DataDir, file)), file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task An_enrolled_node_gets_a_signed_catalog_and_then_unchanged_without_a_compile()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var agent = await master.EnrollAsync("web-1");

        var first = await agent.GetCatalogAsync();
        var compiles = master.Host.Metrics.Get("colabo_compiles_total");
        var second = await agent.GetCatalogAsync(first.CatalogHash);

        Assert.True(CatalogSigner.Verify(first.Catalog, master.Ca));
        var catalog = CatalogMessage.Parser.ParseFrom(first.Catalog.Catalog);
        Assert.Equal("web-1", catalog.Node);
        Assert.Contains(catalog.Resources, r => r.Id == "file:/etc/motd" && r.File.Content == "welcome v1\n");
        Assert.True(second.Unchanged);
        Assert.Equal(first.CatalogHash, second.CatalogHash);
        Assert.Equal(compiles, master.Host.Metrics.Get("colabo_compiles_total"));
        Assert.Equal(1, master.Host.Metrics.Get("colabo_checkins_unchanged_total"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_new_commit_is_pushed_on_Watch_to_the_affected_node_and_served()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var agent = await master.EnrollAsync("web-1");
        var held = (await agent.GetCatalogAsync()).CatalogHash;
        using var watch = agent.Client.Watch(new WatchRequest { CurrentHash = held }, TestMaster.Deadline(60));
        await watch.ResponseHeadersAsync;

        var commit = await repo.CommitAsync("new motd", ("roles/base.yaml", TestRoleRepo.Base("welcome v2")));
        var deploy = await master.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var pushed = watch.ResponseStream.Current;
        var fresh = await agent.GetCatalogAsync(held);

        Assert.True(deploy.Published);
        Assert.Equal(commit, deploy.Commit);
        Assert.Equal(["web-1"], deploy.AffectedNodes);
        Assert.Equal(WatchEvent.EventOneofCase.CatalogChanged, pushed.EventCase);
        Assert.Equal(commit, pushed.CatalogChanged.Commit);
        Assert.Equal(fresh.CatalogHash, pushed.CatalogChanged.CatalogHash);
        Assert.Contains(CatalogMessage.Parser.ParseFrom(fresh.Catalog.Catalog).Resources, r => r.File?.Content == "welcome v2\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_commit_that_does_not_compile_is_never_published_and_its_error_shows_in_the_repo_status()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var agent = await master.EnrollAsync("web-1");
        var held = (await agent.GetCatalogAsync()).CatalogHash;

        var bad = await repo.CommitAsync("broken", ("roles/base.yaml", "resources:\n  - file: etc/motd\n    content: x\n"));
        var deploy = await master.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline());
        var status = await master.Admin().GetRepoStatusAsync(new RepoStatusRequest(), TestMaster.Deadline());
        var after = await agent.GetCatalogAsync(held);

        Assert.False(deploy.Published);
        var error = Assert.Single(deploy.Errors);
        Assert.Equal(("roles/base.yaml", 2), (error.File, error.Line));
        var main = Assert.Single(status.Environments);
        Assert.Equal(bad, main.LastFailedCommit);
        Assert.NotEqual(bad, main.PublishedCommit);
        Assert.Equal("roles/base.yaml", Assert.Single(main.LastErrors).File);
        Assert.True(after.Unchanged);
    }

    [Fact(Timeout = 60_000)]
    public async Task Streamed_reports_are_recorded_once_and_the_drift_query_shows_what_was_changed_back_over_gRPC_and_JSON()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var agent = await master.EnrollAsync("web-1");
        var hash = (await agent.GetCatalogAsync()).CatalogHash;
        var t = DateTimeOffset.UtcNow;

        await agent.ReportAsync(Run("r1", hash, t.AddMinutes(-2), Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "welcome v1\n")));
        var drift = Run("r2", hash, t.AddMinutes(-1), Outcome("file:/etc/motd", OutcomeStatus.Changed, "defaced\n", "welcome v1\n"));
        var recorded = await agent.ReportAsync(drift);
        var resent = await agent.ReportAsync(drift);
        var answer = await master.Admin().QueryDriftAsync(new DriftQueryRequest { Since = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(t.AddMinutes(-5)) }, TestMaster.Deadline());
        var node = (await master.Admin().ListNodesAsync(new ListNodesRequest(), TestMaster.Deadline())).Nodes.Single();

        Assert.False(recorded.Duplicate);
        Assert.True(resent.Duplicate);
        var entry = Assert.Single(answer.Changes);
        Assert.Equal(("web-1", "file:/etc/motd", ChangeClass.Corrective, "defaced\n", "welcome v1\n"),
            (entry.Node, entry.ResourceId, entry.Class, entry.Changes[0].Before, entry.Changes[0].After));
        Assert.Equal(NodeStatus.Drifted, node.Status);

        using var http = JsonClient(master);
        var json = await http.GetStringAsync(new Uri(master.Host.Url, "/api/v1/drift?node=web-*"));
        Assert.Contains("\"corrective\"", json.Replace("CHANGE_CLASS_CORRECTIVE", "\"corrective\"", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("defaced", json, StringComparison.Ordinal);
        var metrics = await http.GetStringAsync(new Uri(master.Host.Url, "/metrics"));
        Assert.Contains("colabo_reports_total{result=\"recorded\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("colabo_connected_agents 0", metrics, StringComparison.Ordinal);
        // A labelled gauge: one TYPE line, then a sample per generation.
        Assert.Matches(
            @"# TYPE dotnet_gc_collections gauge\ndotnet_gc_collections\{generation=""0""\} [0-9]+\n" +
            @"dotnet_gc_collections\{generation=""1""\} [0-9]+\ndotnet_gc_collections\{generation=""2""\} [0-9]+\n", metrics);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_viewer_reads_but_cannot_write_and_a_node_cannot_use_the_admin_API()
    {
        await using var master = await TestMaster.StartAsync(null);
        var viewer = await master.AdminWithRoleAsync("bob", "viewer");
        var agent = await master.EnrollAsync("web-1");
        var asNode = new AdminService.AdminServiceClient(master.Channel(agent.Certificate));

        var nodes = await viewer.ListNodesAsync(new ListNodesRequest(), TestMaster.Deadline());
        var write = await Assert.ThrowsAsync<RpcException>(async () => await viewer.CreateTokenAsync(new CreateTokenRequest(), TestMaster.Deadline()));
        var node = await Assert.ThrowsAsync<RpcException>(async () => await asNode.ListNodesAsync(new ListNodesRequest(), TestMaster.Deadline()));
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var anonymous = await http.GetAsync(new Uri(master.Host.Url, "/api/v1/nodes"));

        Assert.Single(nodes.Nodes);
        Assert.Equal(StatusCode.PermissionDenied, write.StatusCode);
        Assert.Contains("viewer", write.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, node.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Expired_and_reused_tokens_are_refused_and_a_call_without_a_certificate_is_unauthenticated()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        await using var master = await TestMaster.StartAsync(null, time: time);
        var once = await master.TokenAsync();
        await master.EnrollAsync("web-1", once);
        var shortLived = await master.TokenAsync(expiresIn: TimeSpan.FromMinutes(10));
        var anonymous = new AgentService.AgentServiceClient(master.Channel(null));
        time.Advance(TimeSpan.FromMinutes(11));

        var reused = await Assert.ThrowsAsync<RpcException>(() => master.EnrollAsync("web-2", once));
        var expired = await Assert.ThrowsAsync<RpcException>(() => master.EnrollAsync("web-3", shortLived));
        var noCertificate = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.GetCatalogAsync(new GetCatalogRequest(), TestMaster.Deadline()));

        Assert.Equal((StatusCode.Unauthenticated, true), (reused.StatusCode, reused.Status.Detail.Contains("already been used", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.Unauthenticated, true), (expired.StatusCode, expired.Status.Detail.Contains("expired", StringComparison.Ordinal)));
        Assert.Equal(StatusCode.Unauthenticated, noCertificate.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_revoked_node_is_told_on_Watch_and_refused_on_every_later_call()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var agent = await master.EnrollAsync("web-1");
        using var watch = agent.Client.Watch(new WatchRequest(), TestMaster.Deadline(60));
        await watch.ResponseHeadersAsync;

        await master.Admin().RevokeCertificateAsync(new RevokeCertificateRequest { Node = "web-1", Reason = "compromised" }, TestMaster.Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var refused = await Assert.ThrowsAnyAsync<RpcException>(() => agent.GetCatalogAsync());

        Assert.Equal(WatchEvent.EventOneofCase.Revoked, watch.ResponseStream.Current.EventCase);
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unauthenticated, StatusCode.Unavailable, StatusCode.PermissionDenied });
        var listed = (await master.Admin().ListNodesAsync(new ListNodesRequest(), TestMaster.Deadline())).Nodes.Single();
        Assert.Equal(NodeStatus.Revoked, listed.Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_secret_reaches_only_the_catalogs_of_nodes_whose_roles_use_it_and_never_reports_logs_or_API_answers()
    {
        const string secret = "$6$s3cr3t-pa55word-hash";
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        await master.Admin().SetSecretAsync(new SetSecretRequest { Name = "app_password", Value = secret }, TestMaster.Deadline());
        var app = await master.EnrollAsync("app-1");
        var web = await master.EnrollAsync("web-1");

        var appCatalog = await app.GetCatalogAsync();
        var webCatalog = await web.GetCatalogAsync();
        await app.ReportAsync(Run("r1", appCatalog.CatalogHash, DateTimeOffset.UtcNow, Outcome("user:app", OutcomeStatus.Changed, "old", secret)));
        var admin = master.Admin();
        var answers = string.Join("\n",
            (await admin.GetNodeAsync(new GetNodeRequest { Name = "app-1" }, TestMaster.Deadline())).ToString(),
            (await admin.QueryDriftAsync(new DriftQueryRequest { IncludeIntentional = true }, TestMaster.Deadline())).ToString(),
            (await admin.ListSecretsAsync(new ListSecretsRequest(), TestMaster.Deadline())).ToString(),
            (await admin.PlanAsync(new PlanRequest { Node = "app-1" }, TestMaster.Deadline())).ToString(),
            (await admin.GetResourceHistoryAsync(new ResourceHistoryRequest { Node = "app-1", ResourceId = "user:app" }, TestMaster.Deadline())).ToString());
        using var http = JsonClient(master);
        var json = await http.GetStringAsync(new Uri(master.Host.Url, "/api/v1/drift?include_intentional=true"));

        Assert.Contains(CatalogMessage.Parser.ParseFrom(appCatalog.Catalog.Catalog).Resources, r => r.User?.PasswordHash == secret);
        Assert.DoesNotContain(secret, webCatalog.Catalog.Catalog.ToStringUtf8(), StringComparison.Ordinal);
        Assert.Contains("app_password", answers, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", answers, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", json, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", master.Log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(master.Host.Paths.SqliteDatabase)), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fleet_plan_at_a_commit_not_deployed_diffs_each_nodes_next_catalog_against_the_one_it_holds_and_publishes_nothing()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var admin = master.Admin();
        await admin.SetSecretAsync(new SetSecretRequest { Name = "app_password", Value = "$6$old-hash" }, TestMaster.Deadline());
        var web = await master.EnrollAsync("web-1");
        var app = await master.EnrollAsync("app-1");
        var held = (await web.GetCatalogAsync()).CatalogHash;
        await app.GetCatalogAsync();
        // Base changes the motd and drops curl; app nodes also get htop; app's secret gets a new value.
        var commit = await repo.CommitAsync("v2", ("roles/base.yaml", """
            resources:
              - file: /etc/motd
                content: "welcome v2\n"
                mode: "0644"
            """), ("roles/app.yaml", """
            resources:
              - user: app
                password_hash: {secret: app_password}
              - package: htop
            """));
        await admin.SetSecretAsync(new SetSecretRequest { Name = "app_password", Value = "$6$new-hash" }, TestMaster.Deadline());
        var compiles = master.Host.Metrics.Get("colabo_compiles_total");

        var fleet = await admin.FleetPlanAsync(new FleetPlanRequest { Ref = commit }, TestMaster.Deadline());
        var one = await admin.PlanAsync(new PlanRequest { Node = "web-1", Ref = commit }, TestMaster.Deadline());
        var selected = await admin.FleetPlanAsync(new FleetPlanRequest { Ref = commit, Selector = "app-*" }, TestMaster.Deadline());

        Assert.Equal(["app-1", "web-1"], fleet.Plans.Select(p => p.Node).Order(StringComparer.Ordinal));
        Assert.All(fleet.Plans, p => Assert.Equal((commit, ""), (p.Commit, p.Error)));
        var webPlan = fleet.Plans.Single(p => p.Node == "web-1");
        Assert.Equal(held, webPlan.CurrentHash);
        Assert.NotEqual(held, webPlan.CatalogHash);
        Assert.Equal([("file:/etc/motd", "modify"), ("package:curl", "remove")], webPlan.Changes.Select(c => (c.ResourceId, c.Action)));
        var content = Assert.Single(webPlan.Changes[0].Changes);
        Assert.Equal(("content", "welcome v1\n", "welcome v2\n"), (content.Property, content.Before, content.After));
        Assert.Equal(webPlan, one);
        var appPlan = Assert.Single(selected.Plans);
        Assert.Equal(
            [("file:/etc/motd", "modify"), ("package:htop", "add"), ("user:app", "modify"), ("package:curl", "remove")],
            appPlan.Changes.Select(c => (c.ResourceId, c.Action)).OrderBy(c => c.Action == "remove").ThenBy(c => c.ResourceId, StringComparer.Ordinal));
        var password = Assert.Single(appPlan.Changes.Single(c => c.ResourceId == "user:app").Changes);
        Assert.True(password.Secret, password.ToString());
        Assert.Equal((Master.Reports.ReportClassifier.Redacted, Master.Reports.ReportClassifier.Redacted), (password.Before, password.After));
        Assert.DoesNotContain("old-hash", selected.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("new-hash", selected.ToString(), StringComparison.Ordinal);
        // Each plan compiled like any catalog request (counted, then served from the compile cache), and
        // nothing was published: the nodes are still served what they hold.
        Assert.True(master.Host.Metrics.Get("colabo_compiles_total") >= compiles + 2);
        Assert.True((await web.GetCatalogAsync(held)).Unchanged);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_roles_of_the_enrollment_token_are_compiled_into_the_nodes_catalog()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        var admin = master.Admin();
        await admin.SetSecretAsync(new SetSecretRequest { Name = "app_password", Value = "$6$x" }, TestMaster.Deadline());
        var token = await admin.CreateTokenAsync(new CreateTokenRequest { Roles = { "app" } }, TestMaster.Deadline());

        var db = await master.EnrollAsync("db-1", token.Token);
        var catalog = CatalogMessage.Parser.ParseFrom((await db.GetCatalogAsync()).Catalog.Catalog);

        Assert.Equal(["base", "app"], catalog.Roles);
        Assert.Contains(catalog.Resources, r => r.Id == "user:app");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unreachable_role_repository_does_not_stop_the_master_and_shows_in_its_status()
    {
        await using var master = await TestMaster.StartAsync(null, o => o with { Repo = "/nonexistent/roles.git" });
        var agent = await master.EnrollAsync("web-1");

        var refused = await Assert.ThrowsAsync<RpcException>(() => agent.GetCatalogAsync());
        var deploy = await Assert.ThrowsAsync<RpcException>(async () => await master.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline()));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(StatusCode.Unavailable, deploy.StatusCode);
        Assert.Contains("/nonexistent/roles.git", deploy.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Cannot clone", master.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_now_reaches_the_selected_nodes_watch_streams()
    {
        await using var master = await TestMaster.StartAsync(null);
        var web = await master.EnrollAsync("web-1");
        using var watch = web.Client.Watch(new WatchRequest(), TestMaster.Deadline(60));
        await watch.ResponseHeadersAsync;

        var selected = await master.Admin().RunNowAsync(new RunNowRequest { Selector = "web-*", Mode = RunMode.Noop }, TestMaster.Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(["web-1"], selected.Nodes);
        Assert.Equal(RunMode.Noop, watch.ResponseStream.Current.RunNow.Mode);
    }

    private static HttpClient JsonClient(TestMaster master)
    {
        var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(master.Host.Paths.AdminToken).Trim());
        return http;
    }
}
