// Load generator for colabo-master (issue 5 section 9). The master runs as its own process (the real
// colabo-master binary, so its RSS is the master's alone); N simulated agents run in worker processes
// (this program with --worker), each agent with its own key, certificate, mTLS connection and Watch
// stream. Phases: connect (enroll once, cached under --state), unchanged check-ins, a deploy that
// changes every catalog, timed until every Watch stream was told, then reports of 50 resources: each
// node's first on its new catalog, then the steady state.
// Usage (after `dotnet build -c Release`): see bench/Master.Bench/RESULTS.md.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Bench;
using Colabo.Config.Rpc;
using Google.Protobuf.WellKnownTypes;

var options = new BenchArgs(args);
if (options.Has("--worker"))
{
    return await AgentWorker.RunAsync(options);
}

var agents = options.Number("--agents", 1000);
var seconds = options.Number("--seconds", 10);
var callers = options.Number("--callers", 64);
// How many of a report's 50 resources changed in the warm-up and each node's first report on its new
// catalog (50: the deploy changed every resource); the steady state always reports one.
var changedFirst = Math.Clamp(options.Number("--changed-first", 1), 0, 50);
var postgres = options.Text("--postgres");
var workers = options.Number("--workers", Math.Max(1, (agents + 2499) / 2500));
var stateDir = Path.GetFullPath(options.Text("--state") ?? Directory.CreateTempSubdirectory("colabo-bench-").FullName);
var repoRoot = FindRepoRoot();
var masterBinary = options.Text("--master") ?? Path.Combine(repoRoot, "src/Master/bin/Release/net10.0/colabo-master");

// State kept between runs (--state DIR): the role repo, the master's data dir (CA, SQLite store) and
// the enrolled identities, which are only valid with that CA.
var repo = new RoleRepo(Path.Combine(stateDir, "repo"));
repo.EnsureCreated();
var dataDir = Path.Combine(stateDir, postgres is null ? "master-sqlite" : "master-postgres");
var identities = Path.Combine(stateDir, postgres is null ? "identities-sqlite" : "identities-postgres");
if (!Directory.Exists(dataDir) && Directory.Exists(identities))
{
    Directory.Delete(identities, recursive: true);
}
Directory.CreateDirectory(dataDir);
Directory.CreateDirectory(identities);
var schemaFile = Path.Combine(stateDir, "postgres-schema");
if (postgres is not null && !File.Exists(schemaFile))
{
    File.WriteAllText(schemaFile, "bench_" + Guid.NewGuid().ToString("N")[..8]);
}

Console.WriteLine($"state {stateDir}; {agents} agents in {workers} worker process(es); store {(postgres is null ? "SQLite" : "PostgreSQL")}; load average {LoadAverage()}");
File.Delete(Path.Combine(dataDir, "master.url"));
var masterArguments = new List<string> { "--data-dir", dataDir, "--repo", repo.Directory, "--listen", "127.0.0.1:0", "--poll-interval", "0s" };
if (postgres is not null)
{
    masterArguments.AddRange(["--postgres", postgres, "--postgres-schema", File.ReadAllText(schemaFile).Trim()]);
}
if (options.Text("--push-rate") is { } pushRate)
{
    masterArguments.AddRange(["--push-rate", pushRate]);
}
var clock = Stopwatch.StartNew();
// The master runs with the runtime settings its systemd unit gives it (the GC's and malloc's).
var unitEnvironment = UnitEnvironment(Path.Combine(repoRoot, "packaging/systemd/colabo-master.service"));
Console.WriteLine($"master environment from its systemd unit: {string.Join(' ', unitEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
using var master = ChildProcess.Start(masterBinary, masterArguments, Path.Combine(stateDir, "master.log"), protocolOnStdout: false, unitEnvironment);
var urlFile = Path.Combine(dataDir, "master.url");
while (!File.Exists(urlFile) || File.ReadAllText(urlFile).Trim().Length == 0)
{
    if (master.HasExited || clock.Elapsed > TimeSpan.FromMinutes(10))
    {
        Console.Error.WriteLine($"the master did not start; see {Path.Combine(stateDir, "master.log")}");
        return 1;
    }
    await Task.Delay(100);
}
var url = new Uri(File.ReadAllText(urlFile).Trim());
Console.WriteLine($"master pid {master.Id} on {url}, started in {clock.Elapsed.TotalSeconds:0.0} s; master RSS {Mib(master.Memory().RssMiB)}");

var caFile = Path.Combine(dataDir, "ca.crt");
using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
using var adminCert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dataDir, "admin.crt")), File.ReadAllText(Path.Combine(dataDir, "admin.key")));
using var adminChannel = new RpcChannel(url, new RpcChannelOptions { ClientCertificate = adminCert, TrustedCertificateAuthority = ca });
var admin = new AdminService.AdminServiceClient(adminChannel);
var token = (await admin.CreateTokenAsync(new CreateTokenRequest { MaxUses = agents, ExpiresIn = Duration.FromTimeSpan(TimeSpan.FromHours(2)) })).Token;

// Workers: a slice of the fleet each, each from its own loopback source address.
var benchDll = typeof(BenchArgs).Assembly.Location;
var fleet = new List<ChildProcess>();
clock.Restart();
for (var w = 0; w < workers; w++)
{
    var from = agents * w / workers;
    var count = (agents * (w + 1) / workers) - from;
    fleet.Add(ChildProcess.Start("dotnet", [benchDll, "--worker", "--url", url.ToString(), "--ca", caFile, "--token", token, "--identities", identities,
        "--from", Invariant(from), "--count", Invariant(count), "--local-address", $"127.0.0.{10 + w}", .. (options.Has("--flush-each") ? new[] { "--flush-each" } : [])],
        Path.Combine(stateDir, $"worker-{w}.log"), protocolOnStdout: true));
}
var ready = await Task.WhenAll(fleet.Select(f => f.ExpectAsync("ready", TimeSpan.FromMinutes(30))));
var enrolledNow = ready.Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture));
Console.WriteLine($"{agents} agents connected with Watch in {clock.Elapsed.TotalSeconds:0.0} s ({enrolledNow} enrolled now, {agents - enrolledNow} from cached identities); load average {LoadAverage()}");
var connected = await GaugeAsync("colabo_connected_agents");
var idle = master.Memory();
Console.WriteLine($"master: {connected} connected agents, RSS {Mib(idle.RssMiB)} (peak so far {Mib(idle.PeakMiB)}; managed heap {await ManagedHeapAsync()}), {master.OpenFiles()} open files");
if (options.Number("--hold", 0) is var hold and > 0)
{
    // The master at rest for a while (its memory trim runs once a minute), and time to look at it
    // from outside (a heap or /proc/PID/smaps snapshot).
    Console.WriteLine($"holding {hold} s at rest (master pid {master.Id})");
    var heldRange = await RestAsync(hold);
    var held = master.Memory();
    Console.WriteLine($"master after {hold} s at rest: RSS {Mib(held.RssMiB)} (managed heap {await ManagedHeapAsync()}); {heldRange}");
}

var checkins = await MeasureAsync("checkin");
Console.WriteLine($"unchanged check-ins: {checkins.PerSecond:0}/s ({checkins.Errors} errors; {callers} concurrent callers, {seconds} s, every agent holding Watch); master RSS {Mib(master.Memory().RssMiB)} (managed heap {await ManagedHeapAsync()}); load average {LoadAverage()}");
foreach (var worker in fleet)
{
    worker.Send("arm");
}
await Task.WhenAll(fleet.Select(f => f.ExpectAsync("armed", TimeSpan.FromMinutes(1))));
repo.Commit("v" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
clock.Restart();
var deploy = await admin.DeployAsync(new DeployRequest());
var published = clock.Elapsed;
var deliveries = fleet.Select(async f =>
{
    await f.ExpectAsync("delivered", TimeSpan.FromMinutes(5));
    return clock.Elapsed;
}).ToList();
var delivered = TimeSpan.Zero;
try
{
    delivered = (await Task.WhenAll(deliveries)).Max();
}
catch (TimeoutException e)
{
    Console.WriteLine($"not every Watch stream was told: {e.Message}");
}
var after = master.Memory();
Console.WriteLine($"deploy affecting {deploy.AffectedNodes.Count} nodes: compiled and published in {published.TotalSeconds:0.00} s, delivered to all {agents} Watch streams in {delivered.TotalSeconds:0.00} s; master RSS {Mib(after.RssMiB)}, peak {Mib(after.PeakMiB)} (managed heap {await ManagedHeapAsync()}); load average {LoadAverage()}");
// Two rounds over the same agents (each round starts again at the first agent of every worker): in the
// first, each node's report is its first on the catalog the deploy above gave it, as after every deploy
// in a running master; in the second, each node was last good on the same catalog, the steady state of
// a converged fleet between deploys.
if (!options.Has("--no-warmup"))
{
    var warmup = await MeasureAsync("warmup", 3, changedFirst);
    Console.WriteLine($"warm-up: {warmup.PerSecond * 3:0} reports in 3 s from the last tenth of the agents, which the report phases leave out; load average {LoadAverage()}");
}
var cpu = CpuSplit.Take(master, fleet);
var reports = await MeasureAsync("report", changed: changedFirst);
var firstCpu = CpuSplit.Take(master, fleet) - cpu;
Console.WriteLine($"reports of 50 resources ({changedFirst} changed), first on a new catalog: {reports.PerSecond:0}/s ({reports.Errors} errors; {callers} concurrent streams, {seconds} s; CPU per report: {firstCpu.PerEvent(reports.PerSecond * seconds)}); master RSS {Mib(master.Memory().RssMiB)} (managed heap {await ManagedHeapAsync()}); load average {LoadAverage()}");
cpu = CpuSplit.Take(master, fleet);
var steady = await MeasureAsync("report");
var steadyCpu = CpuSplit.Take(master, fleet) - cpu;
Console.WriteLine($"reports of 50 resources, steady state: {steady.PerSecond:0}/s ({steady.Errors} errors; CPU per report: {steadyCpu.PerEvent(steady.PerSecond * seconds)}); master RSS {Mib(master.Memory().RssMiB)} (managed heap {await ManagedHeapAsync()}); load average {LoadAverage()}");
var end = master.Memory();
if (options.Number("--rest-after", 0) is var restAfter and > 0)
{
    // At rest again after the deploy and the reports: what a master that deployed keeps (the catalog
    // digests of every node among it), once its memory trim ran.
    var restRange = await RestAsync(restAfter);
    Console.WriteLine($"master after {restAfter} s at rest following the deploy and reports: RSS {Mib(master.Memory().RssMiB)} (managed heap {await ManagedHeapAsync()}); {restRange}");
}

Console.WriteLine();
Console.WriteLine("| store | agents | connected (master RSS, peak) | unchanged check-ins/s | reports/s (50 resources): first on a catalog, steady | deploy compile+publish | delivered to all Watch streams |");
Console.WriteLine("|---|---|---|---|---|---|---|");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {(postgres is null ? "SQLite" : "PostgreSQL")} | {agents} | {connected} ({idle.RssMiB:0} MiB, {end.PeakMiB:0} MiB) | {checkins.PerSecond:0} | {reports.PerSecond:0}, {steady.PerSecond:0} | {published.TotalSeconds:0.00} s | {delivered.TotalSeconds:0.00} s |"));

foreach (var worker in fleet)
{
    worker.Send("quit");
}
await Task.WhenAll(fleet.Select(f => f.StopAsync(TimeSpan.FromSeconds(30))));
await master.StopAsync(TimeSpan.FromSeconds(30));
foreach (var worker in fleet)
{
    worker.Dispose();
}
return 0;

async Task<(double PerSecond, long Errors)> MeasureAsync(string command, int? duration = null, int changed = 1)
{
    var span = duration ?? seconds;
    for (var w = 0; w < fleet.Count; w++)
    {
        var share = (callers * (w + 1) / fleet.Count) - (callers * w / fleet.Count);
        fleet[w].Send($"{command} {Invariant(span)} {Invariant(Math.Max(1, share))} {Invariant(changed)}");
    }
    var answers = await Task.WhenAll(fleet.Select(f => f.ExpectAsync(command, TimeSpan.FromSeconds(span + 300))));
    return (answers.Sum(a => long.Parse(a[1], CultureInfo.InvariantCulture)) / (double)span, answers.Sum(a => long.Parse(a[2], CultureInfo.InvariantCulture)));
}

// A rest of the given length; RSS is read every 5 s during its last minute, because one reading depends on
// where it falls relative to the memory trim's compacting collection and the young generation refilling.
async Task<string> RestAsync(int restSeconds)
{
    var window = Math.Min(60, restSeconds);
    await Task.Delay(TimeSpan.FromSeconds(restSeconds - window));
    var readings = new List<double>();
    for (var left = window; left > 0; left -= 5)
    {
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, left)));
        readings.Add(master.Memory().RssMiB);
    }
    readings.Sort();
    return string.Create(CultureInfo.InvariantCulture,
        $"RSS over the last {window} s, every 5 s: min {readings[0]:0}, median {readings[readings.Count / 2]:0}, max {readings[^1]:0} MiB");
}

async Task<string> GaugeAsync(string name)
{
    using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
    using var http = new HttpClient(handler);
    var metrics = await http.GetStringAsync(new Uri(url, "/metrics"));
    return metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))?.Split(' ')[1] ?? "?";
}

async Task<string> ManagedHeapAsync() =>
    double.TryParse(await GaugeAsync("dotnet_gc_heap_size_bytes"), CultureInfo.InvariantCulture, out var bytes) ? Mib(bytes / (1024.0 * 1024)) : "?";

static string Mib(double mib) => string.Create(CultureInfo.InvariantCulture, $"{mib:0} MiB");

static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

// DOTNET_* settings from the unit's Environment= lines (not the single-file extraction directory).
static Dictionary<string, string> UnitEnvironment(string unit) =>
    File.ReadLines(unit)
        .Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
        .SelectMany(l => l["Environment=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(a => a.Split('=', 2))
        .Where(a => a.Length == 2 && (a[0].StartsWith("DOTNET_", StringComparison.Ordinal) || a[0].StartsWith("MALLOC_", StringComparison.Ordinal))
            && a[0] != "DOTNET_BUNDLE_EXTRACT_BASE_DIR")
        .ToDictionary(a => a[0], a => a[1], StringComparer.Ordinal);

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Colabo.Config.sln")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
