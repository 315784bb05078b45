using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Colabo.Config.Agent.Daemon;
using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Agent.Daemon.Scheduling;
using Colabo.Config.Agent.Daemon.Systemd;
using Colabo.Config.Agent.Tests.Support;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Tests.Integration;

/// <summary>The agent against a real colabo-master on loopback over mTLS (no substitutes).</summary>
public sealed class AgentAgainstMasterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 90_000)]
    public async Task The_daemon_enrolls_converges_its_catalog_and_reports_then_deletes_the_token()
    {
        await using var master = await MasterFixture.StartAsync();
        var fingerprint = await master.WriteEnrollmentTokenAsync();
        var daemon = new AgentDaemon(master.AgentConfig(fingerprint), AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);
        var runs = Channel.CreateUnbounded<RunResult>();
        daemon.RunCompleted += r => runs.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();

        var running = daemon.RunAsync(stop.Token);
        var first = await runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        await daemon.Connected.Task.WaitAsync(Bound);
        await stop.CancelAsync();
        var exit = await running.WaitAsync(Bound);

        Assert.Equal(0, exit);
        Assert.Equal(CatalogSource.Master, first.Source);
        Assert.True(first.Reported);
        Assert.Equal(1, first.Summary.Changed);
        Assert.Equal(MasterFixture.MotdContent, await File.ReadAllTextAsync(Path.Combine(master.SandboxRoot, "etc", "motd")));
        Assert.False(File.Exists(master.TokenFile));
        var reports = await master.ReportsAsync();
        Assert.Equal(first.Summary.RunId, Assert.Single(reports).RunId);
        Assert.Equal(1, reports[0].Changed);
        Assert.Empty(new ReportSpool(new AgentState(master.StateDir).SpoolDirectory).PendingRunIds());
    }

    [Fact(Timeout = 90_000)]
    public async Task A_run_now_pushed_on_watch_makes_the_daemon_run_and_it_repairs_drift()
    {
        await using var master = await MasterFixture.StartAsync();
        var daemon = new AgentDaemon(master.AgentConfig(await master.WriteEnrollmentTokenAsync()), AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);
        var runs = Channel.CreateUnbounded<RunResult>();
        daemon.RunCompleted += r => runs.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();
        var running = daemon.RunAsync(stop.Token);
        await runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        await daemon.Connected.Task.WaitAsync(Bound);
        var motd = Path.Combine(master.SandboxRoot, "etc", "motd");
        await File.WriteAllTextAsync(motd, "someone edited this\n");

        var asked = await master.Admin.RunNowAsync(new RunNowRequest { Selector = "agent-*", Mode = RunMode.Enforce }, CallOptions.WithTimeout(Bound));
        var pushed = await runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        await stop.CancelAsync();
        await running.WaitAsync(Bound);

        Assert.Contains(MasterFixture.NodeName, asked.Nodes);
        Assert.Equal(CatalogSource.Unchanged, pushed.Source);
        Assert.Equal(1, pushed.Summary.Changed);
        Assert.Equal(MasterFixture.MotdContent, await File.ReadAllTextAsync(motd));
        Assert.Equal(2, (await master.ReportsAsync()).Count);
    }

    [Fact(Timeout = 90_000)]
    public async Task With_the_master_down_the_cached_catalog_is_used_and_the_spooled_report_is_resent_exactly_once()
    {
        await using var master = await MasterFixture.StartAsync();
        var state = new AgentState(master.StateDir);
        var fingerprint = await master.WriteEnrollmentTokenAsync();
        await Enroller.EnrollAsync(state, master.Url, await File.ReadAllTextAsync(master.TokenFile), fingerprint, MasterFixture.NodeName,
            Colabo.Config.Agent.Daemon.Facts.FactsGatherer.Gather(new TargetRoot(master.SandboxRoot)), CancellationToken.None);
        var run = new AgentRun(state, new TargetRoot(master.SandboxRoot), TimeProvider.System, AgentLog.Null);
        using (var online = new MasterConnection(master.Url, NodeIdentity.Load(state)))
        {
            var first = await run.ExecuteAsync(online, online.Identity.Ca, online.Identity.NodeName, new RunRequest(RunMode.Enforce, "test"), CancellationToken.None);
            Assert.Equal(CatalogSource.Master, first.Source);
        }

        await master.StopMasterAsync();
        var motd = Path.Combine(master.SandboxRoot, "etc", "motd");
        File.Delete(motd);
        RunResult offline;
        using (var connection = new MasterConnection(master.Url, NodeIdentity.Load(state)))
        {
            offline = await run.ExecuteAsync(connection, connection.Identity.Ca, connection.Identity.NodeName, new RunRequest(RunMode.Enforce, "test"), CancellationToken.None);
        }

        Assert.Equal(CatalogSource.CacheOffline, offline.Source);
        Assert.False(offline.Reported);
        Assert.Equal(MasterFixture.MotdContent, await File.ReadAllTextAsync(motd));
        var spool = new ReportSpool(state.SpoolDirectory);
        Assert.Equal([offline.Summary.RunId], spool.PendingRunIds());

        await master.StartMasterAsync();
        using var back = new MasterConnection(master.Url, NodeIdentity.Load(state));
        var resent = await run.ResendSpoolAsync(back, CancellationToken.None);
        var again = await run.ResendSpoolAsync(back, CancellationToken.None);

        Assert.Equal(1, resent);
        Assert.Equal(0, again);
        Assert.Empty(spool.PendingRunIds());
        var reports = await master.ReportsAsync();
        Assert.Equal(2, reports.Count);
        Assert.Single(reports, r => r.RunId == offline.Summary.RunId);
    }

    [Fact(Timeout = 90_000)]
    public async Task Enrollment_refuses_a_master_whose_ca_does_not_match_the_pinned_fingerprint()
    {
        await using var master = await MasterFixture.StartAsync();
        await master.WriteEnrollmentTokenAsync();
        var state = new AgentState(master.StateDir);

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => Enroller.EnrollAsync(state, master.Url, File.ReadAllText(master.TokenFile), new string('a', 64), MasterFixture.NodeName,
            Colabo.Config.Agent.Daemon.Facts.FactsGatherer.Gather(new TargetRoot(master.SandboxRoot)), CancellationToken.None));

        Assert.Contains("fingerprint", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(state.IsEnrolled);
    }

    [Fact(Timeout = 90_000)]
    public async Task Renewal_over_the_existing_channel_replaces_key_and_certificate_and_the_node_keeps_working()
    {
        await using var master = await MasterFixture.StartAsync();
        var state = new AgentState(master.StateDir);
        var fingerprint = await master.WriteEnrollmentTokenAsync();
        await Enroller.EnrollAsync(state, master.Url, await File.ReadAllTextAsync(master.TokenFile), fingerprint, MasterFixture.NodeName,
            Colabo.Config.Agent.Daemon.Facts.FactsGatherer.Gather(new TargetRoot(master.SandboxRoot)), CancellationToken.None);
        var oldKey = await File.ReadAllTextAsync(state.KeyFile);
        using var connection = new MasterConnection(master.Url, NodeIdentity.Load(state));
        var oldSerial = connection.Identity.Certificate.SerialNumber;

        var renewed = await CertificateRenewer.RenewAsync(state, connection, CancellationToken.None);
        var catalog = await connection.Client.GetCatalogAsync(new GetCatalogRequest(), CallOptions.WithTimeout(Bound));

        Assert.NotEqual(oldSerial, renewed.Certificate.SerialNumber);
        Assert.Equal(MasterFixture.NodeName, renewed.NodeName);
        Assert.NotEqual(oldKey, await File.ReadAllTextAsync(state.KeyFile));
        Assert.Equal(renewed.Certificate.SerialNumber, NodeIdentity.Load(state).Certificate.SerialNumber);
        Assert.Equal(GetCatalogResponse.ResultOneofCase.Catalog, catalog.ResultCase);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_revoked_node_is_told_on_watch_and_the_daemon_stops_with_status_4()
    {
        await using var master = await MasterFixture.StartAsync();
        var daemon = new AgentDaemon(master.AgentConfig(await master.WriteEnrollmentTokenAsync()), AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);
        var runs = Channel.CreateUnbounded<RunResult>();
        daemon.RunCompleted += r => runs.Writer.TryWrite(r);
        var running = daemon.RunAsync(CancellationToken.None);
        await runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        await daemon.Connected.Task.WaitAsync(Bound);

        await master.Admin.RevokeCertificateAsync(new RevokeCertificateRequest { Node = MasterFixture.NodeName, Reason = "decommissioned" }, CallOptions.WithTimeout(Bound));
        var exit = await running.WaitAsync(Bound);

        Assert.Equal(AgentDaemon.RevokedExitCode, exit);
        Assert.True(File.Exists(new AgentState(master.StateDir).RevokedFile));
        Assert.Equal(AgentDaemon.RevokedExitCode, await new AgentDaemon(master.AgentConfig("unused"), AgentLog.Null, new SystemdNotifier(null), TimeProvider.System).RunAsync(CancellationToken.None));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_revoked_while_its_daemon_was_down_is_told_so_on_its_first_call_and_the_daemon_stops_with_status_4()
    {
        await using var master = await MasterFixture.StartAsync();
        var config = master.AgentConfig(await master.WriteEnrollmentTokenAsync());
        await RunOnceAndStopAsync(new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System));
        await master.Admin.RevokeCertificateAsync(new RevokeCertificateRequest { Node = MasterFixture.NodeName, Reason = "decommissioned" }, CallOptions.WithTimeout(Bound));

        var exit = await new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System).RunAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(AgentDaemon.RevokedExitCode, exit);
        var revoked = await File.ReadAllTextAsync(new AgentState(master.StateDir).RevokedFile);
        Assert.Contains("has been revoked", revoked, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task The_master_answers_a_revoked_certificate_with_unauthenticated_and_the_certificate_revoked_reason()
    {
        await using var master = await MasterFixture.StartAsync();
        var config = master.AgentConfig(await master.WriteEnrollmentTokenAsync());
        await RunOnceAndStopAsync(new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System));
        await master.Admin.RevokeCertificateAsync(new RevokeCertificateRequest { Node = MasterFixture.NodeName, Reason = "decommissioned" }, CallOptions.WithTimeout(Bound));
        using var connection = new MasterConnection(master.Url, NodeIdentity.Load(new AgentState(master.StateDir)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await connection.Client.GetCatalogAsync(new GetCatalogRequest(), CallOptions.WithTimeout(Bound)));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(ErrorReason.CertificateRevoked, ErrorReason.Of(error));
        Assert.True(Revocation.IsSignalledBy(error));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_certificate_the_master_refuses_for_another_reason_does_not_stop_the_daemon_for_good()
    {
        await using var master = await MasterFixture.StartAsync();
        var config = master.AgentConfig(await master.WriteEnrollmentTokenAsync());
        await RunOnceAndStopAsync(new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System));
        var state = new AgentState(master.StateDir);
        File.Delete(new AgentState(master.StateDir).CatalogCacheFile);
        ReplaceCertificateWithOneFromAnotherCa(state);
        var daemon = new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);
        var runs = Channel.CreateUnbounded<RunResult>();
        daemon.RunCompleted += r => runs.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();

        var running = daemon.RunAsync(stop.Token);
        var refused = await runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        await stop.CancelAsync();
        var exit = await running.WaitAsync(Bound);

        Assert.Equal(CatalogSource.None, refused.Source);
        Assert.Contains("unreachable", refused.Summary.Error, StringComparison.Ordinal);
        Assert.Equal(0, exit);
        Assert.False(File.Exists(state.RevokedFile));
    }

    [Fact(Timeout = 90_000)]
    public async Task Without_an_interval_in_agent_yaml_the_daemon_follows_the_masters_run_interval_and_keeps_it_across_restarts()
    {
        await using var master = await MasterFixture.StartAsync(runInterval: TimeSpan.FromHours(2));
        var config = master.AgentConfig(await master.WriteEnrollmentTokenAsync()) with { Interval = null };
        var first = new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);
        await RunOnceAndStopAsync(first);
        await master.StopMasterAsync();

        var offline = new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);
        await RunOnceAndStopAsync(offline, connected: false);

        Assert.Equal(TimeSpan.FromHours(2), first.Schedule?.Interval);
        Assert.Equal(TimeSpan.FromHours(2), offline.Schedule?.Interval);
    }

    [Fact(Timeout = 90_000)]
    public async Task An_interval_set_in_agent_yaml_wins_over_the_masters_run_interval()
    {
        await using var master = await MasterFixture.StartAsync(runInterval: TimeSpan.FromHours(2));
        var config = master.AgentConfig(await master.WriteEnrollmentTokenAsync()) with { Interval = TimeSpan.FromMinutes(15) };
        var daemon = new AgentDaemon(config, AgentLog.Null, new SystemdNotifier(null), TimeProvider.System);

        await RunOnceAndStopAsync(daemon);

        Assert.Equal(TimeSpan.FromMinutes(15), daemon.Schedule?.Interval);
        Assert.Equal(TimeSpan.FromHours(2), RunInterval.Load(new AgentState(master.StateDir)));
    }

    [Fact(Timeout = 90_000)]
    public async Task The_run_and_status_commands_converge_report_and_use_apply_exit_codes()
    {
        await using var master = await MasterFixture.StartAsync();
        var fingerprint = await master.WriteEnrollmentTokenAsync();
        var config = Path.Combine(master.StateDir + "-etc", "agent.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        await File.WriteAllTextAsync(config, $"state_dir: {master.StateDir}\nroot: {master.SandboxRoot}\n");
        var enroll = await AgentAsync("enroll", "--master", master.Url.ToString(), "--token", "@" + master.TokenFile, "--ca-fingerprint", "sha256:" + fingerprint, "--name", MasterFixture.NodeName, "--config", config);
        Assert.True(enroll.Exit == 0, enroll.Error);

        var noopBefore = await AgentAsync("run", "--noop", "--config", config);
        var enforce = await AgentAsync("run", "--config", config);
        var noopAfter = await AgentAsync("run", "--noop", "--config", config);
        var status = await AgentAsync("status", "--config", config);

        Assert.Equal(3, noopBefore.Exit);
        Assert.Contains("1 would change", noopBefore.Output, StringComparison.Ordinal);
        Assert.Equal(0, enforce.Exit);
        Assert.Contains("1 changed", enforce.Output, StringComparison.Ordinal);
        Assert.Equal(0, noopAfter.Exit);
        Assert.Equal(0, status.Exit);
        Assert.Contains($"node:         {MasterFixture.NodeName}", status.Output, StringComparison.Ordinal);
        Assert.Contains("signature valid", status.Output, StringComparison.Ordinal);
        Assert.Contains("spool:        empty", status.Output, StringComparison.Ordinal);
        Assert.Contains("interval:     30m (from the master)", status.Output, StringComparison.Ordinal);
        Assert.Equal(3, (await master.ReportsAsync()).Count);
    }

    /// <summary>Starts the daemon, waits for its start-up run (and the Watch stream unless offline), stops it.</summary>
    private static async Task RunOnceAndStopAsync(AgentDaemon daemon, bool connected = true)
    {
        var runs = Channel.CreateUnbounded<RunResult>();
        daemon.RunCompleted += r => runs.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();
        var running = daemon.RunAsync(stop.Token);
        await runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        if (connected)
        {
            await daemon.Connected.Task.WaitAsync(Bound);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await running.WaitAsync(Bound));
    }

    /// <summary>A certificate for the node's own key, but issued by a CA the master does not know: refused at the handshake.</summary>
    private static void ReplaceCertificateWithOneFromAnotherCa(AgentState state)
    {
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Not The Master CA", otherCaKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherCa = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var nodeKey = ECDsa.Create();
        nodeKey.ImportFromPem(File.ReadAllText(state.KeyFile));
        var request = new CertificateRequest($"CN={MasterFixture.NodeName}", nodeKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var foreign = request.Create(otherCa, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3, 4]);
        AgentState.WriteAtomically(state.CertificateFile, foreign.ExportCertificatePem());
    }

    private static async Task<(int Exit, string Output, string Error)> AgentAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Colabo.Config.Agent.Cli.AgentCommandLine.RunAsync(args, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
