using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Master.Bench;

/// <summary>
/// A worker process holding a slice of the simulated fleet. It takes commands on stdin, one a line,
/// and answers on stdout (the orchestrator's protocol; diagnostics go to stderr):
/// <c>checkin SECONDS CALLERS</c> → <c>checkin COUNT ERRORS</c>; <c>report SECONDS STREAMS</c> → <c>report COUNT ERRORS</c>;
/// <c>warmup SECONDS STREAMS</c> → <c>warmup COUNT ERRORS</c> (reports from the last tenth of the slice, left out of later report phases);
/// <c>arm</c> → <c>armed</c>, later <c>delivered</c> once every agent of the slice got "catalog changed"; <c>quit</c>.
/// </summary>
internal static class AgentWorker
{
    private static readonly object Output = new();

    public static async Task<int> RunAsync(BenchArgs options)
    {
        var master = new Uri(options.Text("--url") ?? throw new ArgumentException("--url is required"));
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(options.Text("--ca") ?? throw new ArgumentException("--ca is required")));
        var token = options.Text("--token") ?? "";
        var identities = options.Text("--identities") ?? throw new ArgumentException("--identities is required");
        var from = options.Number("--from", 0);
        var count = options.Number("--count", 0);
        var localAddress = options.Text("--local-address") is { } local ? IPAddress.Parse(local) : null;
        var flushEach = options.Has("--flush-each");

        using var anonymousChannel = new RpcChannel(master, new RpcChannelOptions { TrustedCertificateAuthority = ca });
        var anonymous = new AgentService.AgentServiceClient(anonymousChannel);
        var fleet = new SimulatedAgent[count];
        var delivered = 0;
        var armed = 0;
        var broken = 0;
        var enrolled = 0;
        void OnCatalogChanged(SimulatedAgent agent)
        {
            if (Volatile.Read(ref armed) == 1 && Interlocked.Increment(ref delivered) == count)
            {
                Say("delivered");
            }
        }
        void OnBroken(SimulatedAgent agent, Exception e)
        {
            if (Interlocked.Increment(ref broken) <= 5)
            {
                Console.Error.WriteLine($"{agent.Name}: Watch broke: {e.Message}");
            }
        }

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"node-{from + i:00000}");
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var (agent, isNew) = await SimulatedAgent.ConnectAsync(name, identities, anonymous, token, master, ca, localAddress, ct);
                    if (isNew)
                    {
                        Interlocked.Increment(ref enrolled);
                    }
                    await agent.FetchCatalogAsync(ct);
                    await agent.WatchAsync(OnCatalogChanged, OnBroken);
                    fleet[i] = agent;
                    return;
                }
                catch (RpcException e) when (attempt < 5 && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
                {
                    Console.Error.WriteLine($"{name}: {e.Message}; retrying");
                }
            }
        });
        Say(string.Create(CultureInfo.InvariantCulture, $"ready {count} {enrolled} {clock.Elapsed.TotalSeconds:0.0}"));

        // The agents the report phases use: all of them, until a warm-up set the last tenth aside.
        var measured = fleet;
        while (Console.In.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "checkin":
                    var (checkins, checkinErrors) = await MeasureAsync(fleet, int.Parse(words[1], CultureInfo.InvariantCulture), int.Parse(words[2], CultureInfo.InvariantCulture),
                        (agent, ct) => agent.CheckInAsync(ct));
                    Say(string.Create(CultureInfo.InvariantCulture, $"checkin {checkins} {checkinErrors}"));
                    break;
                case "warmup":
                    // Reports from the last tenth of the slice, which the measured phases then leave
                    // alone: the master's report path is compiled and tiered up before it is timed,
                    // and each measured node's first report is still its first on its catalog.
                    var reserved = Math.Max(1, count / 10);
                    measured = fleet[..(count - reserved)];
                    var (warmed, warmErrors) = await MeasureAsync(fleet[(count - reserved)..], int.Parse(words[1], CultureInfo.InvariantCulture), int.Parse(words[2], CultureInfo.InvariantCulture),
                        (agent, ct) => agent.ReportAsync(flushEach, Changed(words), ct));
                    Say(string.Create(CultureInfo.InvariantCulture, $"warmup {warmed} {warmErrors}"));
                    break;
                case "report":
                    var (reports, reportErrors) = await MeasureAsync(measured, int.Parse(words[1], CultureInfo.InvariantCulture), int.Parse(words[2], CultureInfo.InvariantCulture),
                        (agent, ct) => agent.ReportAsync(flushEach, Changed(words), ct));
                    Say(string.Create(CultureInfo.InvariantCulture, $"report {reports} {reportErrors}"));
                    break;
                case "arm":
                    Volatile.Write(ref delivered, 0);
                    Volatile.Write(ref armed, 1);
                    Say("armed");
                    break;
                case "status":
                    Say(string.Create(CultureInfo.InvariantCulture, $"status {Volatile.Read(ref delivered)} {Volatile.Read(ref broken)}"));
                    break;
                case "quit":
                    foreach (var agent in fleet)
                    {
                        agent.Dispose();
                    }
                    return 0;
                default:
                    Console.Error.WriteLine($"worker: unknown command '{line}'");
                    break;
            }
        }
        return 0;
    }

    /// <summary>Runs <paramref name="operation"/> from <paramref name="callers"/> concurrent loops for the given seconds, over agents in turn.</summary>
    private static async Task<(long Done, long Errors)> MeasureAsync(SimulatedAgent[] fleet, int seconds, int callers, Func<SimulatedAgent, CancellationToken, Task> operation)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long done = 0;
        long errors = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var agent = fleet[(int)((uint)Interlocked.Increment(ref next) % (uint)fleet.Length)];
                try
                {
                    await operation(agent, CancellationToken.None);
                    Interlocked.Increment(ref done);
                }
                catch (Exception e) when (e is RpcException or InvalidOperationException)
                {
                    if (Interlocked.Increment(ref errors) <= 5)
                    {
                        Console.Error.WriteLine($"{agent.Name}: {e.Message}");
                    }
                }
            }
        })));
        return (done, errors);
    }

    // The report commands' optional third number: how many of the 50 resources changed (one when absent).
    private static int Changed(string[] words) => words.Length > 3 ? int.Parse(words[3], CultureInfo.InvariantCulture) : 1;

    private static void Say(string line)
    {
        lock (Output)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
