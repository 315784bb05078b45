using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Drift;
using Colabo.Config.Master.Reports;
using Colabo.Config.Master.Tests.Support;
using Colabo.Config.Store;
using Google.Protobuf.WellKnownTypes;
using static Colabo.Config.Master.Tests.Support.Reports;

namespace Colabo.Config.Master.Tests.Drift;

public sealed class DriftTests
{
    private static readonly DateTimeOffset T = DomainHarness.Start;

    private static async Task<(DomainHarness Master, Catalog V1, Catalog V2)> EnrolledWithCatalogsAsync()
    {
        var master = await DomainHarness.StartAsync();
        await master.EnrollAsync("web-1", "base", "web");
        var v1 = Catalog("web-1", "hello", "sha256:v1");
        var v2 = Catalog("web-1", "hello again", "sha256:v2");
        await master.Catalogs.PutAsync(master.Keyring.Signer.Sign(v1), v1, default);
        await master.Catalogs.PutAsync(master.Keyring.Signer.Sign(v2), v2, default);
        return (master, v1, v2);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_change_back_to_an_unchanged_desired_state_is_corrective_and_a_new_catalog_is_intentional()
    {
        var (master, _, _) = await EnrolledWithCatalogsAsync();
        await using var _m = master;
        var node = master.Nodes.Get("web-1");

        await node.IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello"), Outcome("package:nginx", OutcomeStatus.Changed)), default);
        await node.IngestAsync(Run("r2", "sha256:v1", T.AddMinutes(30), Outcome("file:/etc/motd", OutcomeStatus.InSync), Outcome("package:nginx", OutcomeStatus.InSync)), default);
        await node.IngestAsync(Run("r3", "sha256:v1", T.AddMinutes(60), Outcome("file:/etc/motd", OutcomeStatus.Changed, "tampered", "hello"), Outcome("package:nginx", OutcomeStatus.InSync)), default);
        var afterDrift = await node.GetAsync(default);
        await node.IngestAsync(Run("r4", "sha256:v2", T.AddMinutes(90), Outcome("file:/etc/motd", OutcomeStatus.Changed, "hello", "hello again"), Outcome("package:nginx", OutcomeStatus.InSync)), default);

        Assert.Equal(["intentional", "intentional"], (await master.Store.ListChangesOfRunAsync("web-1", "r1", default)).Select(c => c.Class));
        Assert.Equal("corrective", Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "r3", default)).Class);
        Assert.Equal("intentional", Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "r4", default)).Class);
        Assert.Equal(NodeStatus.Drifted, RunStates.StatusOf(afterDrift!, T.AddMinutes(61), TimeSpan.FromMinutes(30), revoked: false));
        Assert.Equal(NodeStatus.Converged, RunStates.StatusOf((await node.GetAsync(default))!, T.AddMinutes(91), TimeSpan.FromMinutes(30), revoked: false));
    }

    [Fact]
    public void A_service_restarted_by_a_new_catalog_is_intentional_and_restarted_by_repaired_drift_is_corrective()
    {
        static Catalog WithNginx(string motd, string hash)
        {
            var catalog = Catalog("web-1", motd, hash);
            catalog.Resources[0].Notify.Add("service:nginx");
            catalog.Resources.Add(new Resource { Id = "service:nginx", Kind = "service", Name = "nginx", Role = "web", Service = new ServiceSpec { Name = "nginx" } });
            return catalog;
        }

        static ResourceOutcome Restart()
        {
            var outcome = Outcome("service:nginx", OutcomeStatus.Changed);
            outcome.Refreshed = true;
            outcome.Message = "restarted (notified by file:/etc/motd)";
            return outcome;
        }

        var v1 = WithNginx("hello", "sha256:v1");
        var first = ReportClassifier.Classify("web-1", Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello"), Outcome("service:nginx", OutcomeStatus.Changed)), v1, new Dictionary<string, ResourceStateRecord>(), T);
        var previous = first.States.ToDictionary(s => s.ResourceId, StringComparer.Ordinal);

        var deploy = ReportClassifier.Classify("web-1", Run("r2", "sha256:v2", T.AddMinutes(1), Outcome("file:/etc/motd", OutcomeStatus.Changed, "hello", "hello again"), Restart()), WithNginx("hello again", "sha256:v2"), previous, T.AddMinutes(1));
        var drift = ReportClassifier.Classify("web-1", Run("r3", "sha256:v1", T.AddMinutes(1), Outcome("file:/etc/motd", OutcomeStatus.Changed, "tampered", "hello"), Restart()), v1, previous, T.AddMinutes(1));

        Assert.Equal(["intentional", "intentional"], deploy.Changes.Select(c => c.Class));
        Assert.Equal(["corrective", "corrective"], drift.Changes.Select(c => c.Class));
    }

    [Fact]
    public void A_run_on_the_catalog_its_resources_were_last_good_on_is_classified_without_the_catalog_and_the_same_as_with_it()
    {
        var v1 = Catalog("web-1", "hello", "sha256:v1");
        var first = ReportClassifier.Classify("web-1", Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello"), Outcome("package:nginx", OutcomeStatus.Changed), Outcome("user:app", OutcomeStatus.InSync)), v1, new Dictionary<string, ResourceStateRecord>(), T);
        var previous = first.States.ToDictionary(s => s.ResourceId, StringComparer.Ordinal);
        // A converged run, and a repaired drift reported without property changes: the catalog adds nothing.
        var converged = Run("r2", "sha256:v1", T.AddMinutes(30), Outcome("file:/etc/motd", OutcomeStatus.InSync), Outcome("package:nginx", OutcomeStatus.InSync), Outcome("user:app", OutcomeStatus.InSync));
        var repaired = Run("r3", "sha256:v1", T.AddMinutes(60), Outcome("file:/etc/motd", OutcomeStatus.Changed), Outcome("package:nginx", OutcomeStatus.InSync), Outcome("user:app", OutcomeStatus.InSync));
        var refreshed = Run("r4", "sha256:v1", T.AddMinutes(60), Outcome("file:/etc/motd", OutcomeStatus.InSync), Outcome("package:nginx", OutcomeStatus.Changed), Outcome("user:app", OutcomeStatus.InSync));
        refreshed.Outcomes[1].Refreshed = true;

        Assert.False(ReportClassifier.NeedsCatalog(converged, previous));
        Assert.False(ReportClassifier.NeedsCatalog(repaired, previous));
        foreach (var run in new[] { converged, repaired })
        {
            var without = ReportClassifier.Classify("web-1", run, (CatalogDigests?)null, previous, T.AddMinutes(61));
            var with = ReportClassifier.Classify("web-1", run, v1, previous, T.AddMinutes(61));
            Assert.Equal(with.Run, without.Run);
            Assert.Equal(with.Changes, without.Changes);
            Assert.Equal(with.States, without.States);
        }
        Assert.Equal("corrective", Assert.Single(ReportClassifier.Classify("web-1", repaired, (CatalogDigests?)null, previous, T.AddMinutes(61)).Changes).Class);
        // It is needed for property changes (secret properties are redacted by the catalog's list), for a
        // refresh (its cause is in the catalog's notify lists), on a new catalog, and for a resource never seen.
        Assert.True(ReportClassifier.NeedsCatalog(Run("r5", "sha256:v1", T, Outcome("user:app", OutcomeStatus.Changed, "old", "new")), previous));
        Assert.True(ReportClassifier.NeedsCatalog(refreshed, previous));
        Assert.True(ReportClassifier.NeedsCatalog(Run("r6", "sha256:v2", T, Outcome("file:/etc/motd", OutcomeStatus.InSync)), previous));
        Assert.True(ReportClassifier.NeedsCatalog(Run("r7", "sha256:v1", T, Outcome("file:/etc/issue", OutcomeStatus.InSync)), previous));
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_report_reads_its_nodes_last_known_states_from_the_store_and_still_sees_drift_as_corrective()
    {
        var (master, _, _) = await EnrolledWithCatalogsAsync();
        await using var _m = master;
        await master.EnrollAsync("db-1", "base");
        using var nodes = new Colabo.Config.Master.Nodes.NodeDirectory(master.Store, master.Catalogs, master.Time);
        var web = nodes.Get("web-1");
        var db = nodes.Get("db-1");

        await web.IngestAsync(Run("w1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello")), default);
        await db.IngestAsync(Run("d1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello")), default);
        await web.IngestAsync(Run("w2", "sha256:v1", T.AddMinutes(30), Outcome("file:/etc/motd", OutcomeStatus.InSync)), default);
        await db.IngestAsync(Run("d2", "sha256:v1", T.AddMinutes(30), Outcome("file:/etc/motd", OutcomeStatus.InSync)), default);
        await web.IngestAsync(Run("w3", "sha256:v1", T.AddMinutes(60), Outcome("file:/etc/motd", OutcomeStatus.Changed, "tampered", "hello")), default);

        Assert.Equal("intentional", Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "w1", default)).Class);
        Assert.Equal("corrective", Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "w3", default)).Class);
    }

    [Fact(Timeout = 30_000)]
    public async Task Moving_a_resource_in_its_role_file_is_not_a_new_desired_state()
    {
        var v1 = Catalog("web-1", "hello", "sha256:v1");
        var moved = v1.Clone();
        moved.Resources[0].Source = new SourceLocation { File = "roles/base.yaml", Line = 40 };

        Assert.Equal(ResourceDigest.Of(v1.Resources[0]), ResourceDigest.Of(moved.Resources[0]));
        Assert.NotEqual(ResourceDigest.Of(v1.Resources[0]), ResourceDigest.Of(Catalog("web-1", "other", "x").Resources[0]));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_drift_query_answers_which_nodes_drifted_on_which_resources_since_T_and_what_was_changed_back()
    {
        var (master, _, _) = await EnrolledWithCatalogsAsync();
        await using var _m = master;
        await master.EnrollAsync("db-1", "base");
        var web = master.Nodes.Get("web-1");
        var db = master.Nodes.Get("db-1");
        await web.IngestAsync(Run("w1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello")), default);
        await db.IngestAsync(Run("d1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello")), default);
        await web.IngestAsync(Run("w2", "sha256:v1", T.AddHours(1), Outcome("file:/etc/motd", OutcomeStatus.Changed, "hacked", "hello")), default);
        await db.IngestAsync(Run("d2", "sha256:v1", T.AddHours(3), Outcome("file:/etc/motd", OutcomeStatus.Changed, "oops", "hello")), default);

        var sinceT = await new DriftQuery(master.Store).RunAsync(new DriftQueryRequest { Since = Timestamp.FromDateTimeOffset(T.AddMinutes(1)) }, default);
        var window = await new DriftQuery(master.Store).RunAsync(new DriftQueryRequest
        {
            Node = "web-*",
            Resource = "file:/etc/*",
            Since = Timestamp.FromDateTimeOffset(T.AddMinutes(1)),
            Until = Timestamp.FromDateTimeOffset(T.AddHours(2)),
        }, default);
        var withIntentional = await new DriftQuery(master.Store).RunAsync(new DriftQueryRequest { IncludeIntentional = true }, default);

        Assert.Equal(["db-1", "web-1"], sinceT.Nodes);
        var entry = Assert.Single(window.Changes);
        Assert.Equal(("web-1", "file:/etc/motd", ChangeClass.Corrective), (entry.Node, entry.ResourceId, entry.Class));
        var changedBack = Assert.Single(entry.Changes);
        Assert.Equal(("hacked", "hello"), (changedBack.Before, changedBack.After));
        Assert.Equal(4, withIntentional.Changes.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_noop_run_with_changes_leaves_the_node_pending_and_does_not_move_the_last_good_state()
    {
        var (master, _, _) = await EnrolledWithCatalogsAsync();
        await using var _m = master;
        var node = master.Nodes.Get("web-1");
        await node.IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.Changed, null, "hello")), default);

        await node.IngestAsync(Run("n1", "sha256:v2", T.AddMinutes(5), RunMode.Noop, Outcome("file:/etc/motd", OutcomeStatus.WouldChange, "hello", "hello again")), default);
        await node.IngestAsync(Run("r2", "sha256:v2", T.AddMinutes(10), Outcome("file:/etc/motd", OutcomeStatus.Changed, "hello", "hello again")), default);

        Assert.Equal("pending", Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "n1", default)).Class);
        Assert.Equal("pending", (await master.Store.GetRunAsync("web-1", "n1", default))!.State);
        Assert.Equal("intentional", Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "r2", default)).Class);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failed_resource_makes_the_node_failing()
    {
        var (master, _, _) = await EnrolledWithCatalogsAsync();
        await using var _m = master;
        var node = master.Nodes.Get("web-1");
        var failed = Outcome("package:nginx", OutcomeStatus.Failed);
        failed.Message = "apt-get install nginx exited 100";

        await node.IngestAsync(Run("r1", "sha256:v1", T, Outcome("file:/etc/motd", OutcomeStatus.InSync), failed), default);

        Assert.Equal(NodeStatus.Failing, RunStates.StatusOf((await node.GetAsync(default))!, T, TimeSpan.FromMinutes(30), false));
        var change = Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "r1", default));
        Assert.Equal(("failed", "apt-get install nginx exited 100"), (change.Class, change.Message));
    }

    [Fact]
    public void A_node_with_no_report_within_two_intervals_is_unresponsive()
    {
        var node = new NodeRecord { Name = "web-1", EnrolledAt = T, LastReportAt = T, LastRunState = "converged" };
        var fresh = new NodeRecord { Name = "web-2", EnrolledAt = T };

        Assert.Equal(NodeStatus.Converged, RunStates.StatusOf(node, T.AddMinutes(59), TimeSpan.FromMinutes(30), false));
        Assert.Equal(NodeStatus.Unresponsive, RunStates.StatusOf(node, T.AddMinutes(61), TimeSpan.FromMinutes(30), false));
        Assert.Equal(NodeStatus.New, RunStates.StatusOf(fresh, T.AddMinutes(1), TimeSpan.FromMinutes(30), false));
        Assert.Equal(NodeStatus.Unresponsive, RunStates.StatusOf(fresh, T.AddHours(2), TimeSpan.FromMinutes(30), false));
        Assert.Equal(NodeStatus.Revoked, RunStates.StatusOf(node, T, TimeSpan.FromMinutes(30), true));
    }

    [Fact(Timeout = 30_000)]
    public async Task Secret_values_never_reach_the_change_log_even_when_the_agent_forgets_to_redact()
    {
        var (master, _, _) = await EnrolledWithCatalogsAsync();
        await using var _m = master;

        await master.Nodes.Get("web-1").IngestAsync(Run("r1", "sha256:v1", T, Outcome("user:app", OutcomeStatus.Changed, "$6$old-hash", "$6$secret-hash")), default);

        var change = Assert.Single(await master.Store.ListChangesOfRunAsync("web-1", "r1", default));
        Assert.DoesNotContain("secret-hash", change.ChangesJson, StringComparison.Ordinal);
        Assert.DoesNotContain("old-hash", change.ChangesJson, StringComparison.Ordinal);
        var redacted = Assert.Single(Colabo.Config.Master.Reports.ReportClassifier.ParseChanges(change.ChangesJson));
        Assert.Equal(("<redacted>", "<redacted>", true), (redacted.Before, redacted.After, redacted.Secret));
    }
}
