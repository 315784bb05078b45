extern alias agent;
using System.Security.Cryptography.X509Certificates;
using agent::Colabo.Config.Agent.Daemon;
using agent::Colabo.Config.Agent.Daemon.Configuration;
using agent::Colabo.Config.Agent.Daemon.Systemd;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.Security;

/// <summary>The master pushes RenewCertificateNow on Watch: by the renewal window, and when an admin asks.</summary>
public sealed class RenewalTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 90_000)]
    public async Task A_node_whose_certificate_entered_its_renewal_window_is_told_on_watch_and_renews_over_the_channel()
    {
        // The master's clock starts 21 days back, so certificates it issues are 21 days old by the real
        // clock TLS checks them with; moving it forward opens the window (2/3 of 30 days) for the master.
        var time = new ManualTime(DateTimeOffset.UtcNow.AddDays(-21));
        await using var master = await TestMaster.StartAsync(await TestRoleRepo.CreateAsync(), o => o with { WatchHeartbeat = TimeSpan.FromMilliseconds(200) }, time: time);
        var agent = await master.EnrollAsync("web-1");
        using (var early = agent.Client.Watch(new WatchRequest(), TestMaster.Deadline()))
        {
            Assert.True(await early.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(WatchEvent.EventOneofCase.Heartbeat, early.ResponseStream.Current.EventCase);
        }

        time.Advance(TimeSpan.FromDays(21));
        using var watch = agent.Client.Watch(new WatchRequest(), TestMaster.Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var told = watch.ResponseStream.Current;
        var renewed = await agent.Client.RenewCertificateAsync(new RenewCertificateRequest { CsrPem = Csr.New() }, TestMaster.Deadline());

        Assert.Equal(WatchEvent.EventOneofCase.RenewCertificate, told.EventCase);
        Assert.Contains(agent.Certificate.SerialNumber, told.RenewCertificate.Reason, StringComparison.Ordinal);
        Assert.True(renewed.NotAfter.ToDateTimeOffset() > agent.Certificate.NotAfter.ToUniversalTime().AddDays(20));
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(WatchEvent.EventOneofCase.Heartbeat, watch.ResponseStream.Current.EventCase);
    }

    [Fact(Timeout = 120_000)]
    public async Task Colabo_cert_renew_makes_the_connected_agent_daemon_renew_its_certificate()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await repo.CommitAsync("file only", ("roles/base.yaml", """
            resources:
              - file: /etc/motd
                content: "managed\n"
            """));
        await using var master = await TestMaster.StartAsync(repo);
        var token = await master.Admin().CreateTokenAsync(new CreateTokenRequest { NamePattern = "web-*", MaxUses = 1 }, TestMaster.Deadline());
        var dir = Directory.CreateTempSubdirectory("colabo-renew-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "root", "etc"));
        await File.WriteAllTextAsync(Path.Combine(dir, "token"), token.Token + "\n");
        var log = new SignalingWriter("certificate renewed");
        var daemon = new AgentDaemon(new AgentConfig
        {
            Master = master.Host.Url,
            NodeName = "web-1",
            CaFingerprint = token.CaFingerprint,
            EnrollmentTokenFile = Path.Combine(dir, "token"),
            StateDir = Path.Combine(dir, "state"),
            Root = Path.Combine(dir, "root"),
            PushJitter = TimeSpan.Zero,
            Interval = TimeSpan.FromHours(1),
        }, new AgentLog(log, priorities: false), new SystemdNotifier(null), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var running = daemon.RunAsync(stop.Token);
        await daemon.Connected.Task.WaitAsync(Bound);
        var before = (await master.Admin().ListCertificatesAsync(new ListCertificatesRequest { Subject = "web-1" }, TestMaster.Deadline())).Certificates.Single();

        var asked = await CliRunner.RunAsync(master, "cert", "renew", "web-*", "--reason", "CA rotation");
        await log.Seen.WaitAsync(Bound);
        await stop.CancelAsync();
        await running.WaitAsync(Bound);

        Assert.Equal(0, asked.ExitCode);
        Assert.Contains("asked 1 node(s) to renew: web-1", asked.Output, StringComparison.Ordinal);
        var after = (await master.Admin().ListCertificatesAsync(new ListCertificatesRequest { Subject = "web-1" }, TestMaster.Deadline())).Certificates;
        Assert.Equal(2, after.Count);
        Assert.Contains(after, c => c.Serial != before.Serial && !c.Revoked);
        Assert.Contains("renew certificate: CA rotation", log.Text, StringComparison.Ordinal);
        using var stored = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(dir, "state"), "*.crt", SearchOption.AllDirectories).First(f => !f.EndsWith("ca.crt", StringComparison.Ordinal))));
        Assert.NotEqual(before.Serial, stored.SerialNumber);
    }

    /// <summary>Collects the daemon's log and completes <see cref="Seen"/> at the first line containing a phrase.</summary>
    private sealed class SignalingWriter(string phrase) : StringWriter
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public string Text
        {
            get
            {
                lock (this)
                {
                    return ToString();
                }
            }
        }

        public override void WriteLine(string? value)
        {
            lock (this)
            {
                base.WriteLine(value);
            }
            if (value?.Contains(phrase, StringComparison.Ordinal) == true)
            {
                _seen.TrySetResult();
            }
        }
    }
}
