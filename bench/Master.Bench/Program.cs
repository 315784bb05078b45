// Load generator for colabo-master (issue 5 section 9): N simulated agents enroll, hold Watch,
// check in with their hash, stream reports of 50 resources; then a deploy affecting all of them.
// Usage: dotnet run -c Release --project bench/Master.Bench -- [--agents N] [--seconds S] [--postgres CONNSTR]
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master;
using Colabo.Config.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

var agents = Arg("--agents", 1000);
var seconds = Arg("--seconds", 10);
var postgres = args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault();
var workers = 64;

var repo = Directory.CreateTempSubdirectory("colabo-bench-roles-").FullName;
Git(repo, "init", "--quiet", "--initial-branch=main");
Git(repo, "config", "user.email", "bench@example.com");
Git(repo, "config", "user.name", "bench");
File.WriteAllText(Path.Combine(repo, "nodes.yaml"), "classes:\n  - match: {name: \"*\"}\n    roles: [base]\n");
Directory.CreateDirectory(Path.Combine(repo, "roles"));
void WriteBase(string version)
{
    var role = new StringBuilder("resources:\n");
    for (var i = 0; i < 50; i++)
    {
        role.Append("  - file: /etc/colabo/f").Append(i).Append("\n    content: \"").Append(version).Append(' ').Append(i).Append("\\n\"\n");
    }
    File.WriteAllText(Path.Combine(repo, "roles", "base.yaml"), role.ToString());
    Git(repo, "add", "-A");
    Git(repo, "commit", "--quiet", "-m", version);
}
WriteBase("v1");

var dataDir = Directory.CreateTempSubdirectory("colabo-bench-master-").FullName;
await using var master = await MasterHost.StartAsync(new MasterOptions
{
    DataDir = dataDir,
    Listen = new IPEndPoint(IPAddress.Loopback, 0),
    Repo = repo,
    PollInterval = TimeSpan.Zero,
    Postgres = postgres,
    PostgresSchema = postgres is null ? null : "bench_" + Guid.NewGuid().ToString("N")[..8],
}, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));
var ca = master.Keyring.Ca.Certificate;
using var adminCert = X509Certificate2.CreateFromPem(File.ReadAllText(master.Paths.AdminCertificate), File.ReadAllText(master.Paths.AdminKey));
using var adminChannel = new RpcChannel(master.Url, new RpcChannelOptions { ClientCertificate = Pkcs12(adminCert), TrustedCertificateAuthority = ca });
var admin = new AdminService.AdminServiceClient(adminChannel);
var token = (await admin.CreateTokenAsync(new CreateTokenRequest { MaxUses = agents, ExpiresIn = Duration.FromTimeSpan(TimeSpan.FromHours(1)) }, default)).Token;
Console.WriteLine($"master on {master.Url} ({(postgres is null ? "SQLite" : "PostgreSQL")}), {agents} agents, {Environment.ProcessorCount} cores");

using var anonymousChannel = new RpcChannel(master.Url, new RpcChannelOptions { TrustedCertificateAuthority = ca });
var anonymous = new AgentService.AgentServiceClient(anonymousChannel);
var clock = Stopwatch.StartNew();
var fleet = new Agent[agents];
await Parallel.ForEachAsync(Enumerable.Range(0, agents), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
{
    using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var name = $"node-{i:00000}";
    var csr = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    var enrolled = await anonymous.EnrollAsync(new EnrollRequest { Token = token, CsrPem = csr, NodeName = name, Facts = Facts(name) }, new CallOptions(CancellationToken: ct));
    using var cert = X509Certificate2.CreateFromPem(enrolled.CertificatePem);
    using var withKey = cert.CopyWithPrivateKey(key);
    var channel = new RpcChannel(master.Url, new RpcChannelOptions { ClientCertificate = Pkcs12(withKey), TrustedCertificateAuthority = ca });
    var client = new AgentService.AgentServiceClient(channel);
    var first = await client.GetCatalogAsync(new GetCatalogRequest { Facts = Facts(name) }, new CallOptions(CancellationToken: ct));
    fleet[i] = new Agent(name, channel, client, first.CatalogHash);
});
Console.WriteLine($"enrolled and fetched first catalogs: {agents} agents in {clock.Elapsed.TotalSeconds:0.0} s");

// Unchanged check-ins.
var checkins = await Measure(async (i, ct) =>
{
    var agent = fleet[i % agents];
    var answer = await agent.Client.GetCatalogAsync(new GetCatalogRequest { Facts = Facts(agent.Name), CurrentHash = agent.Hash }, new CallOptions(CancellationToken: ct));
    if (!answer.Unchanged)
    {
        throw new InvalidOperationException("expected unchanged");
    }
});
Console.WriteLine($"unchanged check-ins: {checkins:0} /s ({workers} concurrent callers, {seconds} s)");

// Reports of 50 resources.
var reports = await Measure(async (i, ct) =>
{
    var agent = fleet[i % agents];
    using var call = agent.Client.Report(new CallOptions(CancellationToken: ct));
    var runId = Guid.NewGuid().ToString("N");
    await call.RequestStream.WriteAsync(new ReportMessage { Start = new RunStart { RunId = runId, Mode = RunMode.Enforce, CatalogHash = agent.Hash, StartedAt = Timestamp.FromDateTime(DateTime.UtcNow) } }, ct);
    for (var r = 0; r < 50; r++)
    {
        await call.RequestStream.WriteAsync(new ReportMessage { Outcome = new ResourceOutcome { ResourceId = $"file:/etc/colabo/f{r}", Kind = "file", Role = "base", Status = r == 0 ? OutcomeStatus.Changed : OutcomeStatus.InSync } }, ct);
    }
    await call.RequestStream.WriteAsync(new ReportMessage { End = new RunSummary { RunId = runId, CatalogHash = agent.Hash, FinishedAt = Timestamp.FromDateTime(DateTime.UtcNow), Total = 50 } }, ct);
    await call.RequestStream.CompleteAsync();
    await call;
});
Console.WriteLine($"reports of 50 resources: {reports:0} /s ({workers} concurrent streams, {seconds} s)");

// Watch held by every agent, then a deploy that changes every catalog.
var received = 0;
var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var watches = new List<AsyncServerStreamingCall<WatchEvent>>();
foreach (var agent in fleet)
{
    var watch = agent.Client.Watch(new WatchRequest { CurrentHash = agent.Hash });
    watches.Add(watch);
    _ = Task.Run(async () =>
    {
        try
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (watch.ResponseStream.Current.EventCase == WatchEvent.EventOneofCase.CatalogChanged)
                {
                    if (Interlocked.Increment(ref received) == agents)
                    {
                        allReceived.TrySetResult();
                    }
                    return;
                }
            }
        }
        catch (RpcException)
        {
        }
    });
}
await Task.WhenAll(watches.Select(w => w.ResponseHeadersAsync));
GC.Collect();
var rss = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024);
Console.WriteLine($"{master.Nodes.ConnectedCount} agents connected with Watch; process RSS {rss:0} MiB (master and all simulated agents in one process)");
WriteBase("v2");
clock.Restart();
var deploy = await admin.DeployAsync(new DeployRequest(), default);
var compiled = clock.Elapsed;
await allReceived.Task.WaitAsync(TimeSpan.FromSeconds(120));
Console.WriteLine($"deploy affecting {deploy.AffectedNodes.Count} nodes: compiled+published in {compiled.TotalSeconds:0.00} s, delivered to all {agents} Watch streams in {clock.Elapsed.TotalSeconds:0.00} s (push rate 2000/s)");
foreach (var watch in watches)
{
    watch.Dispose();
}
foreach (var agent in fleet)
{
    agent.Channel.Dispose();
}
return 0;

async Task<double> Measure(Func<int, CancellationToken, Task> operation)
{
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    long done = 0;
    var next = -1;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await operation(Interlocked.Increment(ref next), CancellationToken.None);
                Interlocked.Increment(ref done);
            }
            catch (RpcException e)
            {
                Console.Error.WriteLine(e.Message);
            }
        }
    })));
    return done / sw.Elapsed.TotalSeconds;
}

static Facts Facts(string name) => new() { Hostname = name, Os = "debian", OsFamily = "Debian", Release = "12", Arch = "amd64", Cpus = 2 };

static X509Certificate2 Pkcs12(X509Certificate2 withKey) => X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static void Git(string dir, params string[] arguments)
{
    var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
    {
        start.ArgumentList.Add(a);
    }
    using var process = Process.Start(start)!;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
    }
}

internal sealed record Agent(string Name, RpcChannel Channel, AgentService.AgentServiceClient Client, string Hash);
