using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Master.Tests.Support;

/// <summary>A real colabo-master on a loopback port (TLS, real Kestrel), with clients for agents and admins.</summary>
public sealed class TestMaster : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private TestMaster(MasterHost host, StringBuilder log)
    {
        Host = host;
        Log = log;
    }

    public MasterHost Host { get; }

    /// <summary>Every log line the master wrote.</summary>
    public StringBuilder Log { get; }

    public X509Certificate2 Ca => Host.Keyring.Ca.Certificate;

    public static async Task<TestMaster> StartAsync(TestRoleRepo? repo, Func<MasterOptions, MasterOptions>? configure = null, string? dataDir = null, TimeProvider? time = null)
    {
        var log = new StringBuilder();
        var options = new MasterOptions
        {
            DataDir = dataDir ?? Directory.CreateTempSubdirectory("colabo-master-").FullName,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Repo = repo?.Path,
            PollInterval = TimeSpan.Zero,
        };
        options = configure?.Invoke(options) ?? options;
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(log)).SetMinimumLevel(LogLevel.Debug));
        var host = await MasterHost.StartAsync(options, loggerFactory, time);
        return new TestMaster(host, log);
    }

    public RpcChannel Channel(X509Certificate2? clientCertificate)
    {
        var channel = new RpcChannel(Host.Url, new RpcChannelOptions { ClientCertificate = clientCertificate, TrustedCertificateAuthority = Ca });
        _owned.Add(channel);
        return channel;
    }

    public AdminService.AdminServiceClient Admin()
    {
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Host.Paths.AdminCertificate), File.ReadAllText(Host.Paths.AdminKey));
        return new AdminService.AdminServiceClient(Channel(certificate));
    }

    /// <summary>A viewer (or admin) certificate issued through the admin API, key made here.</summary>
    public async Task<AdminService.AdminServiceClient> AdminWithRoleAsync(string name, string role)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var issued = await Admin().IssueAdminCertificateAsync(new IssueAdminCertificateRequest { Name = name, Role = role, CsrPem = csr }, Deadline());
        return new AdminService.AdminServiceClient(Channel(WithKey(issued.CertificatePem, key)));
    }

    public async Task<string> TokenAsync(string pattern = "*", int uses = 1, TimeSpan? expiresIn = null)
    {
        var request = new CreateTokenRequest { NamePattern = pattern, MaxUses = uses };
        if (expiresIn is { } e)
        {
            request.ExpiresIn = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(e);
        }
        return (await Admin().CreateTokenAsync(request, Deadline())).Token;
    }

    /// <summary>Enrolls like an agent: own key, CSR, token over an anonymous TLS channel; returns an mTLS client.</summary>
    public async Task<TestAgent> EnrollAsync(string name, string? token = null)
    {
        token ??= await TokenAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var anonymous = new AgentService.AgentServiceClient(Channel(null));
        var response = await anonymous.EnrollAsync(new EnrollRequest { Token = token, CsrPem = csr, NodeName = name, Facts = Facts(name) }, Deadline());
        var certificate = WithKey(response.CertificatePem, key);
        return new TestAgent(name, certificate, new AgentService.AgentServiceClient(Channel(certificate)));
    }

    public static Facts Facts(string name) => new() { Hostname = name, Os = "debian", OsFamily = "Debian", Release = "12", Arch = "amd64", Cpus = 2 };

    public static CallOptions Deadline(int seconds = 20) => new(Deadline: DateTime.UtcNow.AddSeconds(seconds));

    private static X509Certificate2 WithKey(string certificatePem, ECDsa key)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var withKey = certificate.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        await Host.DisposeAsync();
    }

    private sealed class CapturingLoggerProvider(StringBuilder log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(log, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(StringBuilder log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (log)
            {
                log.Append(category).Append(": ").Append(formatter(state, exception)).Append(exception?.ToString() ?? "").Append('\n');
            }
        }
    }
}

/// <summary>An enrolled node: its certificate and an mTLS AgentService client.</summary>
public sealed record TestAgent(string Name, X509Certificate2 Certificate, AgentService.AgentServiceClient Client)
{
    public async Task<GetCatalogResponse> GetCatalogAsync(string currentHash = "") =>
        await Client.GetCatalogAsync(new GetCatalogRequest { Facts = TestMaster.Facts(Name), CurrentHash = currentHash }, TestMaster.Deadline());

    public async Task<ReportAck> ReportAsync(Colabo.Config.Master.Reports.RunReport run)
    {
        using var call = Client.Report(TestMaster.Deadline());
        await call.RequestStream.WriteAsync(new ReportMessage { Start = run.Start });
        foreach (var outcome in run.Outcomes)
        {
            await call.RequestStream.WriteAsync(new ReportMessage { Outcome = outcome });
        }
        await call.RequestStream.WriteAsync(new ReportMessage { End = run.Summary });
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
