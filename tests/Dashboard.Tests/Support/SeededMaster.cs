using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Colabo.Config.Master;
using Colabo.Config.Master.Security;
using Colabo.Config.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Colabo.Config.Dashboard.Tests.Support;

/// <summary>
/// A real colabo-master (Kestrel over TLS on loopback, SQLite store, a git role repository whose last
/// commit does not compile) seeded with a fleet, plus an admin and a viewer API token.
/// </summary>
public class SeededMaster : IAsyncLifetime
{
    /// <summary>Enough for every status, role, environment and fact value, and for more than one page.</summary>
    public const int Nodes = 120;

    private string? _repo;

    public MasterHost Host { get; private set; } = null!;
    public FleetSeeder.Expected Expected { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";
    public string ViewerToken { get; private set; } = "";
    public string PublishedCommit { get; private set; } = "";
    public string FailedCommit { get; private set; } = "";
    public Uri Url => Host.Url;

    public async Task InitializeAsync()
    {
        _repo = Directory.CreateTempSubdirectory("colabo-dash-roles-").FullName;
        Git("init", "--quiet", "--initial-branch=main");
        Git("config", "user.email", "test@example.com");
        Git("config", "user.name", "test");
        Write("nodes.yaml", "classes:\n  - match: {name: \"*\"}\n    roles: [base]\n");
        Write("roles/base.yaml", "resources:\n  - file: /etc/motd\n    content: \"welcome\\n\"\n");
        Git("add", "-A");
        Git("commit", "--quiet", "-m", "base");
        PublishedCommit = Git("rev-parse", "HEAD").Trim();

        Host = await MasterHost.StartAsync(Configure(new MasterOptions
        {
            DataDir = Directory.CreateTempSubdirectory("colabo-dash-master-").FullName,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Repo = _repo,
            PollInterval = TimeSpan.Zero,
            RunInterval = FleetSeeder.RunInterval,
        }), NullLoggerFactory.Instance);
        AdminToken = (await File.ReadAllTextAsync(Host.Paths.AdminToken)).Trim();
        ViewerToken = await new ApiTokens(Host.Store).CreateAsync("vera", "viewer", CancellationToken.None);
        var cipher = SecretCipher.FromKeyFile(Host.Paths.SecretsKey);
        Expected = await FleetSeeder.SeedAsync(Host.Store, Host.Keyring.Signer, cipher, Nodes, DateTimeOffset.UtcNow);

        // A commit that does not compile: the overview must show it with file:line:column.
        Write("roles/base.yaml", "resources:\n  - file: relative/path\n    content: x\n");
        Git("commit", "--quiet", "-am", "broken");
        FailedCommit = Git("rev-parse", "HEAD").Trim();
        using var client = Client(AdminToken);
        using var deploy = await client.PostAsync(new Uri(Url, "/api/v1/deploy"), new StringContent("{}"));
        deploy.EnsureSuccessStatusCode();
    }

    /// <summary>An HTTPS client that trusts this master's CA, with a bearer token when given.</summary>
    public HttpClient Client(string? token = null)
    {
        var ca = Host.Keyring.Ca.Certificate;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            {
                if (certificate is null || chain is null)
                {
                    return false;
                }
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>The store and anything else a variant changes.</summary>
    protected virtual MasterOptions Configure(MasterOptions options) => options;

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_repo is not null)
        {
            Directory.Delete(_repo, recursive: true);
        }
    }

    private void Write(string file, string text)
    {
        var path = Path.Combine(_repo!, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }
}
