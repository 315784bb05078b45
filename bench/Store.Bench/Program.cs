// Report ingestion at the store, without the network: how many runs per second SaveRunAsync records
// when many nodes report at once. Each run is what the master writes for a report of 50 resources of
// which one changed: the run row, one change-log entry, and the node's 50 resource states, which the
// master writes whole whenever one of them changed (a report that changed none writes no states; not
// measured here). --changes N makes N of them changed, each with its change-log entry (--changes 50 is
// the report after a deploy that changed every resource). With --postgres, the CPU of the server's
// processes on this machine is measured too.
// Usage: dotnet bench/Store.Bench/bin/Release/net10.0/Colabo.Config.Store.Bench.dll
//          [--seconds S] [--callers N] [--nodes N] [--changes N] [--history N] [--postgres CONNSTR]
// --history N records N runs of every node (one change each) before measuring, so that the tables and
// their indexes are the size of a store that has seen N reports per node.
using System.Diagnostics;
using System.Globalization;
using Colabo.Config.Store;
using Colabo.Config.Store.Postgres;
using Colabo.Config.Store.Sqlite;

var seconds = Number("--seconds", 10);
var callers = Number("--callers", 64);
var nodes = Math.Max(callers, Number("--nodes", 1000));
var changed = Math.Clamp(Number("--changes", 1), 1, 50);
var history = Number("--history", 0);
var postgres = Text("--postgres");
var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
var directory = Directory.CreateTempSubdirectory("colabo-store-bench-").FullName;

await using IConfigStore store = postgres is null
    ? new SqliteConfigStore(Path.Combine(directory, "master.db"))
    : new PostgresConfigStore(new PostgresStoreOptions { ConnectionString = postgres, Schema = schema });
await store.InitializeAsync(CancellationToken.None);
for (var n = 0; n < nodes; n++)
{
    await store.UpsertNodeAsync(new NodeRecord { Name = NodeName(n), EnrolledAt = DateTimeOffset.UtcNow }, CancellationToken.None);
}
Console.WriteLine($"{(postgres is null ? "SQLite" : "PostgreSQL")}: {nodes} nodes, {callers} concurrent callers, {seconds} s, reports of 50 states, {changed} changed; load average {LoadAverage()}");

if (history > 0)
{
    var filling = Stopwatch.StartNew();
    var (_, _, filled) = await MeasureAsync(int.MaxValue, runsPerCaller: history * nodes / callers, steady: true);
    Console.WriteLine($"history: {filled} runs ({history} per node) in {filling.Elapsed.TotalSeconds:0} s");
}

// Warm-up, then the measured pass.
await MeasureAsync(Math.Min(3, seconds));
var serverCpu = ServerCpuMs();
var (perSecond, cpuPerRun, runs) = await MeasureAsync(seconds);
var server = postgres is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; PostgreSQL CPU {(ServerCpuMs() - serverCpu) / runs:0.000} ms per run");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"recorded {perSecond:0} runs/s; process CPU {cpuPerRun:0.000} ms per run{server}; load average {LoadAverage()}"));

if (postgres is not null)
{
    await using var dataSource = Npgsql.NpgsqlDataSource.Create(postgres);
    await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
    await drop.ExecuteNonQueryAsync();
}
Directory.Delete(directory, recursive: true);
return 0;

// steady: one change per run whatever --changes says (the history's runs).
async Task<(double PerSecond, double CpuMsPerRun, long Runs)> MeasureAsync(int forSeconds, long runsPerCaller = long.MaxValue, bool steady = false)
{
    using var stop = new CancellationTokenSource(forSeconds == int.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(forSeconds));
    long done = 0;
    var clock = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    // Caller c owns nodes c, c + callers, ...: like the master's actors, one report at a time per node.
    await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
    {
        for (var i = 0; !stop.IsCancellationRequested && i < runsPerCaller; i++)
        {
            var node = NodeName(c + (callers * i % (nodes - nodes % callers)));
            var runId = Guid.NewGuid().ToString("N");
            var at = DateTimeOffset.UtcNow;
            var run = new RunRecord
            {
                Node = node, RunId = runId, CatalogHash = "sha256:bench", Commit = "c0ffee", StartedAt = at.AddSeconds(-2), FinishedAt = at,
                ReceivedAt = at, Total = 50, InSync = 49, Changed = 1, Corrective = 1, State = "drifted",
            };
            var changedNow = steady ? 1 : changed;
            var changes = Enumerable.Range(0, changedNow).Select(r => new ChangeRecord
            {
                Node = node, RunId = runId, ResourceId = $"file:/etc/colabo/f{r}", Kind = "file", Role = "base", Status = "changed", Class = "corrective",
                ChangesJson = """[{"property":"content","before":"x","after":"v1 0\n"}]""", At = at, CatalogHash = "sha256:bench",
            }).ToList();
            var states = Enumerable.Range(0, 50).Select(r => new ResourceStateRecord
            {
                Node = node, ResourceId = $"file:/etc/colabo/f{r}", Kind = "file", Role = "base", Status = r < changedNow ? "changed" : "in_sync", RunId = runId,
                UpdatedAt = at, LastChangedAt = r < changedNow ? at : null, LastChangeClass = r < changedNow ? "corrective" : "", DesiredDigest = "d" + r, CatalogHash = "sha256:bench",
            }).ToList();
            if (!await store.SaveRunAsync(run, changes, states, CancellationToken.None))
            {
                throw new InvalidOperationException($"run {runId} was reported as a duplicate");
            }
            Interlocked.Increment(ref done);
        }
    })));
    return (done / clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, done), Math.Max(1, done));
}

// User and system time of every postgres process on this machine (clock ticks of 10 ms).
static double ServerCpuMs()
{
    double ticks = 0;
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        try
        {
            if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres")
            {
                continue;
            }
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
    return ticks * 10;
}

static string NodeName(int n) => string.Create(CultureInfo.InvariantCulture, $"node-{n:00000}");

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

int Number(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

string? Text(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
