using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Agent.Daemon.Configuration;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master;
using Colabo.Config.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Agent.Tests.Support;

/// <summary>
/// A real colabo-master (embedded SQLite store, fresh CA) on loopback over mTLS, serving a one-role
/// git repository that manages /etc/motd; the admin credential from its data dir; and an agent
/// configuration (state dir, sandbox root, token file) pointing at it.
/// </summary>
public sealed class MasterFixture : IAsyncDisposable
{
    public const string NodeName = "agent-01.test";
    public const string MotdContent = "managed by colabo\n";

    private readonly TempDir _dir = new();
    private RpcChannel? _adminChannel;
    private TimeSpan? _runInterval;

    private MasterFixture()
    {
    }

    public MasterHost? Host { get; private set; }

    public int Port { get; private set; }

    public string DataDir => _dir.Combine("master");

    public string RepoDir => _dir.Combine("roles");

    public string SandboxRoot => _dir.Combine("root");

    public string StateDir => _dir.Combine("state");

    public string TokenFile => _dir.Combine("enrollment-token");

    public Uri Url => new($"https://localhost:{Port}");

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public static async Task<MasterFixture> StartAsync(TimeSpan? runInterval = null)
    {
        var fixture = new MasterFixture { _runInterval = runInterval };
        Directory.CreateDirectory(Path.Combine(fixture.SandboxRoot, "etc"));
        fixture.CreateRoleRepo();
        await fixture.StartMasterAsync();
        return fixture;
    }

    /// <summary>A one-time token for the test node, written where cloud-init would put it; returns the CA fingerprint.</summary>
    public async Task<string> WriteEnrollmentTokenAsync()
    {
        var created = await Admin.CreateTokenAsync(
            new CreateTokenRequest { NamePattern = "agent-*", ExpiresIn = Duration.FromTimeSpan(TimeSpan.FromHours(1)), Description = "test" },
            CallOptions.WithTimeout(TimeSpan.FromSeconds(30)));
        await File.WriteAllTextAsync(TokenFile, created.Token + "\n");
        return created.CaFingerprint;
    }

    public AgentConfig AgentConfig(string caFingerprint) => new()
    {
        Master = Url,
        NodeName = NodeName,
        CaFingerprint = caFingerprint,
        EnrollmentTokenFile = TokenFile,
        StateDir = StateDir,
        Root = SandboxRoot,
        PushJitter = TimeSpan.Zero,
        Interval = TimeSpan.FromHours(1),
    };

    public async Task<IReadOnlyList<RunSummary>> ReportsAsync() =>
        (await Admin.ListReportsAsync(new ListReportsRequest { Node = NodeName, Limit = 100 }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30)))).Reports;

    public async Task StopMasterAsync()
    {
        _adminChannel?.Dispose();
        _adminChannel = null;
        if (Host is not null)
        {
            await Host.DisposeAsync();
            Host = null;
        }
    }

    /// <summary>Starts (or restarts, on the same port and data dir) the master.</summary>
    public async Task StartMasterAsync()
    {
        var options = new MasterOptions
        {
            DataDir = DataDir,
            Listen = new IPEndPoint(IPAddress.Loopback, Port),
            Repo = RepoDir,
            WatchHeartbeat = TimeSpan.FromSeconds(30),
        };
        if (_runInterval is { } interval)
        {
            options = options with { RunInterval = interval };
        }

        Host = await MasterHost.StartAsync(options, LoggerFactory.Create(_ => { }));
        Port = Host.Port;
        var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(DataDir, "ca.crt")));
        var adminCrt = await File.ReadAllTextAsync(Path.Combine(DataDir, "admin.crt"));
        var adminKey = await File.ReadAllTextAsync(Path.Combine(DataDir, "admin.key"));
        using var pem = X509Certificate2.CreateFromPem(adminCrt, adminKey);
        var admin = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        _adminChannel = new RpcChannel(Url, new RpcChannelOptions { ClientCertificate = admin, TrustedCertificateAuthority = ca });
        Admin = new AdminService.AdminServiceClient(_adminChannel);
    }

    public async ValueTask DisposeAsync()
    {
        await StopMasterAsync();
        _dir.Dispose();
    }

    private void CreateRoleRepo()
    {
        Directory.CreateDirectory(Path.Combine(RepoDir, "roles"));
        File.WriteAllText(Path.Combine(RepoDir, "roles", "demo.yaml"),
            """
            role: demo
            resources:
              - file: /etc/motd
                content: "managed by colabo\n"
                mode: "0644"
            """);
        File.WriteAllText(Path.Combine(RepoDir, "nodes.yaml"),
            """
            classes:
              - name: everyone
                match:
                  name: "*"
                roles: [demo]
            """);
        Git("init", "-q", "-b", "main");
        Git("add", "-A");
        Git("-c", "user.name=test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "demo role");
    }

    private void Git(params string[] arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = RepoDir, UseShellExecute = false, RedirectStandardError = true })!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        }
    }
}
