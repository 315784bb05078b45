// Rpc.Bench: unary throughput/latency with 64 concurrent callers and idle server-streaming calls over mTLS on
// loopback, against our Kestrel server and against a grpc-js server doing the same work, in one run.
//   dotnet run -c Release --project bench/Rpc.Bench -- [--seconds 10] [--callers 64] [--streams 10000]
//   (internal) Colabo.Config.Rpc.Bench server --tls-dir DIR
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Colabo.Config.Rpc;
using Colabo.Config.Rpc.Bench;
using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Tests.Protos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var options = ParseArgs(args);
if (args.Length > 0 && args[0] == "server")
{
    await RunServerAsync(options["tls-dir"]);
    return 0;
}

var seconds = int.Parse(options.GetValueOrDefault("seconds", "10"), CultureInfo.InvariantCulture);
var callers = int.Parse(options.GetValueOrDefault("callers", "64"), CultureInfo.InvariantCulture);
var streams = int.Parse(options.GetValueOrDefault("streams", "10000"), CultureInfo.InvariantCulture);
var repo = FindRepoRoot();
var pki = Pki.Create();
var dir = pki.WriteDirectory();

Console.WriteLine($"# Rpc.Bench {DateTime.UtcNow:u}  cores={Environment.ProcessorCount}  callers={callers}  seconds={seconds}  idle streams={streams}");
var results = new List<string>();
foreach (var (name, file, arguments) in new[]
{
    ("Colabo.Config.Rpc (Kestrel)", Environment.ProcessPath!, new[] { "server", "--tls-dir", dir }),
    ("@grpc/grpc-js 1.14.7 (Node " + NodeVersion() + ")", "node", new[] { Path.Combine(repo, "tests/interop/node/server.js"), "--tls-dir", dir }),
})
{
    using var server = StartServer(file, arguments, out var port);
    var unary = await RunUnaryAsync(port, pki, callers, seconds);
    var idle = await RunIdleStreamsAsync(port, pki, streams, server);
    var line = $"| {name} | {unary.CallsPerSecond:N0} | {unary.P50:0.00} | {unary.P99:0.00} | {idle.Opened:N0} | {idle.RssMiB:N0} ({idle.BaselineMiB:N0} before) |";
    Console.WriteLine(line);
    results.Add(line);
    server.Kill(entireProcessTree: true);
    server.WaitForExit();
}
Console.WriteLine();
Console.WriteLine("| server | unary calls/s | p50 ms | p99 ms | idle streams held | server RSS MiB |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var line in results)
{
    Console.WriteLine(line);
}
Directory.Delete(dir, recursive: true);
return 0;

static async Task<(double CallsPerSecond, double P50, double P99)> RunUnaryAsync(int port, Pki pki, int callers, int seconds)
{
    using var channel = Channel(port, pki);
    var client = new TestService.TestServiceClient(channel);
    var request = new EchoRequest { Text = "ping" };
    // Warm up for a few seconds: connections, TLS, and JIT tiering in both processes.
    var warmup = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
    {
        while (warmup.Elapsed < TimeSpan.FromSeconds(4))
        {
            await client.UnaryAsync(request);
        }
    }));
    var stop = Stopwatch.StartNew();
    var limit = TimeSpan.FromSeconds(seconds);
    var latencies = await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
    {
        var mine = new List<double>(100_000);
        while (stop.Elapsed < limit)
        {
            var start = Stopwatch.GetTimestamp();
            await client.UnaryAsync(request);
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return mine;
    }));
    var elapsed = stop.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return (all.Length / elapsed, all[(int)(all.Length * 0.50)], all[(int)(all.Length * 0.99)]);
}

static async Task<(int Opened, double RssMiB, double BaselineMiB)> RunIdleStreamsAsync(int port, Pki pki, int count, Process server)
{
    using var channel = Channel(port, pki);
    var client = new TestService.TestServiceClient(channel);
    await client.UnaryAsync(new EchoRequest { Text = "warm" });
    var baseline = RssMiB(server.Id);
    var calls = new List<AsyncServerStreamingCall<EchoReply>>(count);
    var opened = 0;
    using var gate = new SemaphoreSlim(256);
    var tasks = new List<Task>(count);
    for (var i = 0; i < count; i++)
    {
        var call = client.ServerStream(new EchoRequest { Count = 1, Hang = true });
        calls.Add(call);
        await gate.WaitAsync();
        tasks.Add(Task.Run(async () =>
        {
            try
            {
                if (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    Interlocked.Increment(ref opened);
                }
            }
            catch (RpcException ex)
            {
                Console.Error.WriteLine($"stream failed: {ex.Status}");
            }
            finally
            {
                gate.Release();
            }
        }));
    }
    await Task.WhenAll(tasks);
    await Task.Delay(2000); // let the server settle before reading its RSS
    var rss = RssMiB(server.Id);
    foreach (var call in calls)
    {
        call.Dispose();
    }
    return (opened, rss, baseline);
}

static RpcChannel Channel(int port, Pki pki) => new(new Uri($"https://127.0.0.1:{port}"), new RpcChannelOptions
{
    ClientCertificate = pki.Client,
    TrustedCertificateAuthority = pki.AuthorityPublic,
});

static double RssMiB(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }
    return double.NaN;
}

static Process StartServer(string file, string[] arguments, out int port)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in arguments)
    {
        psi.ArgumentList.Add(a);
    }
    var process = Process.Start(psi)!;
    while (true)
    {
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"{file} exited before listening");
        if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            port = int.Parse(line["LISTENING ".Length..], CultureInfo.InvariantCulture);
            return process;
        }
    }
}

static async Task RunServerAsync(string tlsDir)
{
    var pki = Pki.Load(tlsDir);
    var rpc = new RpcServerOptions { ServerCertificate = pki.Server, ClientCertificateAuthority = pki.AuthorityPublic, MaxConcurrentStreamsPerConnection = 1000 };
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.Services.AddRpcServer(rpc);
    builder.WebHost.ConfigureKestrel(k => k.ListenRpc(new IPEndPoint(IPAddress.Loopback, 0), rpc));
    var app = builder.Build();
    app.MapRpcService(new BenchService());
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    Console.WriteLine($"LISTENING {new Uri(address).Port}");
    await app.WaitForShutdownAsync(CancellationToken.None);
}

static string NodeVersion()
{
    using var p = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
    return p.StandardOutput.ReadToEnd().Trim();
}

static string FindRepoRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        if (File.Exists(Path.Combine(d.FullName, "Colabo.Config.sln")))
        {
            return d.FullName;
        }
    }
    throw new InvalidOperationException("repository root not found");
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
        {
            result[args[i][2..]] = args[++i];
        }
    }
    return result;
}
