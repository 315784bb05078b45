extern alias cli;

using System.Diagnostics;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;
using Colabo.Config.SystemTests.Support;
using Google.Protobuf.WellKnownTypes;
using Xunit.Abstractions;

namespace Colabo.Config.SystemTests.EndToEnd;

/// <summary>
/// Issue 6 §4, told in order on one booted node (<see cref="BootstrappedNode"/>): cloud-init installs
/// and enrolls the agent, which converges base + web; a drifted file is repaired and reported as
/// corrective; a commit reaches the agent through Watch; a master killed mid report stream loses and
/// duplicates nothing.
/// </summary>
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class BootstrapToDriftTests(BootstrappedNode node, ITestOutputHelper output) : IClassFixture<BootstrappedNode>
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    private static CallOptions Call => CallOptions.WithTimeout(TimeSpan.FromSeconds(30));

    [Fact(Timeout = 300_000), Step(1)]
    public async Task A_vm_seeded_with_bootstrap_user_data_installs_the_agent_which_enrolls_and_converges_base_and_web()
    {
        // Arrange: done by the fixture (packages, master, boot with the NoCloud seed, first report).
        foreach (var (what, took) in node.Timings)
        {
            output.WriteLine($"{what}: {took.TotalSeconds:F1} s");
        }

        // Assert, inside the container: the package cloud-init installed, the service, the identity.
        Assert.StartsWith("#cloud-config\n", node.UserData, StringComparison.Ordinal);
        Assert.Equal("0.1.0", await node.InsideAsync("dpkg-query", "-W", "-f=${Version}", "colabo-agent"));
        Assert.Equal("active", (await node.InsideAsync("systemctl", "is-active", "colabo-agent")).Trim());
        Assert.Equal("enabled", (await node.InsideAsync("systemctl", "is-enabled", "colabo-agent")).Trim());
        Assert.False(File.Exists(node.Container.RootFileSystem.Resolve("/etc/colabo/enrollment-token")), "the one-time token is deleted after enrollment");
        Assert.Contains($"node_name: '{BootstrappedNode.NodeName}'", node.ReadInside("/etc/colabo/agent.yaml"), StringComparison.Ordinal);
        var status = await node.InsideAsync("colabo-agent", "status");
        Assert.Contains(BootstrappedNode.NodeName, status, StringComparison.Ordinal);

        // ... what base and web converged: a real apt install of nginx, users and keys, templated config, nginx running.
        Assert.Equal("install ok installed", await node.InsideAsync("dpkg-query", "-W", "-f=${Status}", "nginx"));
        Assert.Equal("active", (await node.InsideAsync("systemctl", "is-active", "nginx")).Trim());
        Assert.Equal("active", (await node.InsideAsync("systemctl", "is-active", "ssh")).Trim());
        var passwd = node.ReadInside("/etc/passwd");
        Assert.Contains("alice:x:2001:", passwd, StringComparison.Ordinal);
        Assert.Contains("bob:x:2002:", passwd, StringComparison.Ordinal);
        Assert.Contains("alice@laptop", node.ReadInside("/home/alice/.ssh/authorized_keys"), StringComparison.Ordinal);
        var site = node.ReadInside("/etc/nginx/sites-available/default");
        Assert.Contains($"server_name {BootstrappedNode.ServerName}", site, StringComparison.Ordinal);
        Assert.Contains($"listen {node.WebPort}", site, StringComparison.Ordinal);
        Assert.Contains("PermitRootLogin no", node.ReadInside("/etc/ssh/sshd_config"), StringComparison.Ordinal);
        Assert.Contains($"<h1>{BootstrappedNode.ServerName}</h1>", await FetchSiteAsync(), StringComparison.Ordinal);

        // ... and on the master: the node, its facts (systemd runs it), its first report.
        var detail = await node.Master.Admin.GetNodeAsync(new GetNodeRequest { Name = BootstrappedNode.NodeName }, Call);
        Assert.Equal("systemd", detail.Facts.Extra["init"]);
        Assert.Contains("web", detail.Node.Roles);
        var first = Assert.Single(await node.ReportsAsync()); // one first run, not cut short by the bootstrap
        Assert.True(first.Failed == 0, $"the first run failed on {first.Failed} resources: {await FailuresAsync()}");
        Assert.True(first.Changed > 10, $"the first run changed only {first.Changed} resources");
        Assert.Contains(detail.Resources, r => r.ResourceId == "service:nginx" && r.Status is OutcomeStatus.Changed or OutcomeStatus.InSync);
        Assert.Contains(detail.Resources, r => r.ResourceId == "package:nginx");
    }

    [Fact(Timeout = 300_000), Step(2)]
    public async Task An_edited_managed_file_is_changed_back_by_a_pushed_run_and_reported_as_corrective_drift_of_exactly_that_resource()
    {
        // Arrange: the node is converged; someone edits /etc/motd by hand.
        await SettleAsync();
        var before = (await node.ReportsAsync()).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var since = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var motd = node.ReadInside("/etc/motd");
        await node.InsideAsync("sh", "-c", "echo 'edited by hand' >> /etc/motd");

        // Act: `colabo run NODE` → the master pushes "run now" on the agent's Watch stream.
        var (exit, stdout, stderr) = await node.ColaboAdminAsync("run", BootstrappedNode.NodeName);
        Assert.True(exit == 0, stdout + stderr);
        var run = await NewReportAsync(before);

        // Assert: the file is back, and the drift report names exactly that resource, corrective.
        Assert.Equal(motd, node.ReadInside("/etc/motd"));
        Assert.Equal(0, run.Failed);
        Assert.Equal(1, run.Changed);
        var drift = await node.Master.Admin.QueryDriftAsync(new DriftQueryRequest { Node = BootstrappedNode.NodeName, Since = since }, Call);
        var change = Assert.Single(drift.Changes);
        Assert.Equal("file:/etc/motd", change.ResourceId);
        Assert.Equal(ChangeClass.Corrective, change.Class);
        Assert.Equal(run.RunId, change.RunId);
        var (driftExit, driftText, _) = await node.ColaboAdminAsync("drift", "--node", BootstrappedNode.NodeName, "--since", "10m");
        Assert.Equal(0, driftExit);
        Assert.Contains("file:/etc/motd", driftText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000), Step(3)]
    public async Task A_commit_to_the_role_repo_reaches_the_agent_through_watch_and_is_converged()
    {
        // Arrange: an admin changes the node's server_name (templated into the site and the page).
        await SettleAsync();
        var before = (await node.ReportsAsync()).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var nodes = node.Roles.Read("nodes.yaml").Replace($"server_name: {BootstrappedNode.ServerName}", "server_name: v2.colabo.test", StringComparison.Ordinal);
        var commit = await node.Roles.CommitAsync("web: a new server name", new Dictionary<string, string> { ["nodes.yaml"] = nodes }, CancellationToken.None);
        var clock = Stopwatch.StartNew();

        // Act: `colabo deploy` publishes the commit; the master tells the agent "catalog changed".
        var (exit, stdout, stderr) = await node.ColaboAdminAsync("deploy");
        Assert.True(exit == 0, stdout + stderr);
        var run = await NewReportAsync(before);
        output.WriteLine($"deploy → converged and reported in {clock.Elapsed.TotalSeconds:F1} s");

        // Assert: the new commit is what the agent converged, intentionally, and nginx serves it.
        Assert.Equal(commit, run.Commit);
        Assert.Equal(0, run.Failed);
        Assert.Contains("server_name v2.colabo.test", node.ReadInside("/etc/nginx/sites-available/default"), StringComparison.Ordinal);
        Assert.Contains("<h1>v2.colabo.test</h1>", await FetchSiteAsync(), StringComparison.Ordinal);
        var changes = await ChangesOfRunAsync(run.RunId);
        Assert.Contains(changes, c => c.ResourceId == "file:/etc/nginx/sites-available/default" && c.Class == ChangeClass.Intentional);
        Assert.Contains(changes, c => c.ResourceId == "file:/var/www/site/index.html" && c.Class == ChangeClass.Intentional);
        Assert.DoesNotContain(changes, c => c.Class == ChangeClass.Corrective);
    }

    [Fact(Timeout = 420_000), Step(4)]
    public async Task A_master_killed_in_the_middle_of_a_report_stream_ends_up_with_every_run_reported_exactly_once()
    {
        // Arrange: a role whose run streams 20 files, then blocks in an exec until the test releases it,
        // then 20 more files; the node gets it with the next deploy.
        await SettleAsync();
        var before = (await node.ReportsAsync()).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var nodes = node.Roles.Read("nodes.yaml").Replace($"  {BootstrappedNode.NodeName}:\n", $"  {BootstrappedNode.NodeName}:\n    roles: [stream]\n", StringComparison.Ordinal);
        await node.Roles.CommitAsync("stream: a long report", new Dictionary<string, string>
        {
            ["nodes.yaml"] = nodes,
            ["roles/stream.yaml"] = StreamRole,
        }, CancellationToken.None);
        var blocked = node.Container.RootFileSystem.Resolve("/var/lib/colabo-e2e/blocked");
        var (exit, stdout, stderr) = await node.ColaboAdminAsync("deploy");
        Assert.True(exit == 0, stdout + stderr);
        await node.WaitForAsync(() => Task.FromResult(File.Exists(blocked) ? "blocked" : null), Generous, "the run to reach the blocking exec");
        Assert.Equal(20, Directory.GetFiles(node.Container.RootFileSystem.Resolve("/srv/stream"), "a-*").Length);

        // Act: SIGKILL the master while the report stream is open; let the run finish; run once more
        // while the master is down (cached catalog); then start the master again on the same data dir.
        await node.Master.KillAsync();
        await File.WriteAllTextAsync(node.Container.RootFileSystem.Resolve("/var/lib/colabo-e2e/release"), "go\n");
        var spool = node.Container.RootFileSystem.Resolve("/var/lib/colabo/spool");
        await node.WaitForAsync(() => Task.FromResult(Directory.GetFiles(spool, "*.report").Length >= 1 && !node.AgentBusy ? "spooled" : null), Generous, "the interrupted run to be spooled");
        var (offlineExit, offlineOut, offlineErr) = await node.TryInsideAsync("colabo-agent", "run");
        Assert.True(offlineExit == 0, offlineOut + offlineErr);
        Assert.Contains("using the cached catalog", offlineOut + offlineErr, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(spool, "*.report").Length);
        await node.Master.StartAsync(CancellationToken.None);

        // Assert: the spool drains, and the master has every run the agent made, each exactly once.
        await node.WaitForAsync(() => Task.FromResult(Directory.GetFiles(spool, "*.report").Length == 0 ? "drained" : null), Generous, "the agent to resend its spool");
        await SettleAsync();
        var offlineRun = RunIds(offlineOut + offlineErr).Single();
        var agentRuns = (await AgentRunIdsAsync()).Append(offlineRun).Order(StringComparer.Ordinal).ToList();
        var reports = await node.ReportsAsync();
        var masterRuns = reports.Select(r => r.RunId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(masterRuns.Distinct(StringComparer.Ordinal), masterRuns);
        Assert.Equal(agentRuns, masterRuns);
        var interrupted = Assert.Single(reports, r => !before.Contains(r.RunId) && r.Changed > 0);
        Assert.Equal(0, interrupted.Failed);
        Assert.Equal(43, interrupted.Changed); // 40 files, the exec, two directories
        var changes = await ChangesOfRunAsync(interrupted.RunId);
        Assert.Equal(interrupted.Changed, changes.Count);
        Assert.Equal(changes.Count, changes.Select(c => c.ResourceId).Distinct(StringComparer.Ordinal).Count());
        var journal = await node.InsideAsync("journalctl", "--no-pager", "-o", "cat", "-u", "colabo-agent");
        Assert.Contains("the report stream broke", journal, StringComparison.Ordinal); // the kill did land mid-stream
        Assert.Contains($"resent spooled report of run {interrupted.RunId}", journal, StringComparison.Ordinal);
        var offline = Assert.Single(reports, r => r.RunId == offlineRun);
        Assert.Equal(0, offline.Changed);
        Assert.Equal(0, offline.Failed);
        Assert.Equal(20, Directory.GetFiles(node.Container.RootFileSystem.Resolve("/srv/stream"), "b-*").Length);
    }

    private static readonly string StreamRole = """
        role: stream
        description: A run long enough to kill the master in the middle of its report stream.
        params:
          names: [{{NAMES}}]
        resources:
          - directory: /srv/stream
          - directory: /var/lib/colabo-e2e
          - file: "/srv/stream/a-{{item}}"
            for_each: "{{params.names}}"
            content: "before the kill {{item}}\n"
          - exec: wait-for-release
            command: "touch /var/lib/colabo-e2e/blocked; while [ ! -e /var/lib/colabo-e2e/release ]; do sleep 0.1; done"
            creates: /var/lib/colabo-e2e/release
            timeout: 300
            requires: [directory:/var/lib/colabo-e2e, {{ALL_A_FILES}}]
          - file: "/srv/stream/b-{{item}}"
            for_each: "{{params.names}}"
            content: "after the kill {{item}}\n"
            requires: [exec:wait-for-release]
        """.Replace("{{NAMES}}", string.Join(", ", Enumerable.Range(1, 20).Select(i => $"\"{i:D2}\"")), StringComparison.Ordinal)
        .Replace("{{ALL_A_FILES}}", string.Join(", ", Enumerable.Range(1, 20).Select(i => $"\"file:/srv/stream/a-{i:D2}\"")), StringComparison.Ordinal);

    /// <summary>Waits until no run is in progress, so a step starts from a quiet, converged node.</summary>
    private async Task SettleAsync() =>
        await node.WaitForAsync(() => Task.FromResult(node.AgentBusy ? null : "idle"), Generous, "the agent to finish its run");

    private async Task<RunSummary> NewReportAsync(IReadOnlySet<string> before) =>
        await node.WaitForAsync(async () => (await node.ReportsAsync()).FirstOrDefault(r => !before.Contains(r.RunId)), Generous, "a new report");

    private async Task<IReadOnlyList<ChangeEntry>> ChangesOfRunAsync(string runId) =>
        [.. (await node.Master.Admin.QueryDriftAsync(new DriftQueryRequest { Node = BootstrappedNode.NodeName, IncludeIntentional = true, Limit = 10_000 }, Call))
            .Changes.Where(c => c.RunId == runId)];

    /// <summary>Every run the agent logged as finished (daemon and `colabo-agent run`), from the container's journal.</summary>
    private async Task<IReadOnlyList<string>> AgentRunIdsAsync()
    {
        var journal = await node.InsideAsync("journalctl", "--no-pager", "-o", "cat", "-u", "colabo-agent");
        return RunIds(journal);
    }

    /// <summary>The ids in "run ID finished: ..." log lines.</summary>
    private static IReadOnlyList<string> RunIds(string log) =>
        [.. log.Split('\n').Where(l => l.Contains(" finished: ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("run ", StringComparison.Ordinal) + 4)..].Split(' ')[0])];

    private async Task<string> FetchSiteAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{node.WebPort}/"));
    }

    private async Task<string> FailuresAsync()
    {
        var detail = await node.Master.Admin.GetNodeAsync(new GetNodeRequest { Name = BootstrappedNode.NodeName }, Call);
        return string.Join("; ", detail.Resources.Where(r => r.Status == OutcomeStatus.Failed).Select(r => $"{r.ResourceId}: {r.Message}"));
    }
}
