using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

// usage: Agent.Idle AGENT_CMD MASTER_DLL SECONDS [NAME=VALUE...]
//   AGENT_CMD   the agent executable (the published single-file colabo-agent, or "dotnet:PATH/colabo-agent.dll")
//   MASTER_DLL  colabo-master.dll
//   NAME=VALUE  environment variables for the agent only (to try runtime knobs, e.g. DOTNET_GCgen0size=0x80000)
// Starts a master on loopback with a one-file role repo, enrolls a daemon, waits until its Watch
// stream is connected, then samples the daemon's RSS and CPU time from /proc for SECONDS.
var agentCommand = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Agent.Idle AGENT_CMD MASTER_DLL SECONDS");
var masterDll = args[1];
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60;
var agentEnvironment = args.Skip(3).Select(a => a.Split('=', 2)).ToList();
var work = Directory.CreateTempSubdirectory("colabo-idle-").FullName;
var repo = Path.Combine(work, "roles");
Directory.CreateDirectory(Path.Combine(repo, "roles"));
File.WriteAllText(Path.Combine(repo, "roles", "demo.yaml"), "role: demo\nresources:\n  - file: /etc/motd\n    content: \"managed by colabo\\n\"\n    mode: \"0644\"\n");
File.WriteAllText(Path.Combine(repo, "nodes.yaml"), "classes:\n  - name: everyone\n    match:\n      name: \"*\"\n    roles: [demo]\n");
Run("git", repo, "init", "-q", "-b", "main");
Run("git", repo, "add", "-A");
Run("git", repo, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "demo");
var root = Path.Combine(work, "root");
Directory.CreateDirectory(Path.Combine(root, "etc"));
var port = 18000 + Random.Shared.Next(1000);
var data = Path.Combine(work, "master");
using var master = Process.Start(new ProcessStartInfo("dotnet", [masterDll, "--data-dir", data, "--listen", $"127.0.0.1:{port}", "--repo", repo]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
master.OutputDataReceived += (_, _) => { };
master.ErrorDataReceived += (_, _) => { };
master.BeginOutputReadLine();
master.BeginErrorReadLine();
try
{
    var url = new Uri($"https://localhost:{port}");
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (!File.Exists(Path.Combine(data, "master.url")) && DateTime.UtcNow < deadline)
    {
        await Task.Delay(100);
    }

    var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(data, "ca.crt")));
    using var pem = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(data, "admin.crt")), File.ReadAllText(Path.Combine(data, "admin.key")));
    using var channel = new RpcChannel(url, new RpcChannelOptions { ClientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null), TrustedCertificateAuthority = ca });
    var token = await new AdminService.AdminServiceClient(channel).CreateTokenAsync(new CreateTokenRequest { NamePattern = "*" }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30)));
    var tokenFile = Path.Combine(work, "token");
    File.WriteAllText(tokenFile, token.Token);
    var config = Path.Combine(work, "agent.yaml");
    File.WriteAllText(config, $"master: {url}\nnode_name: idle-01.bench\nca_fingerprint: {token.CaFingerprint}\nenrollment_token_file: {tokenFile}\nstate_dir: {Path.Combine(work, "state")}\nroot: {root}\n");

    // Enroll once (first start), stop, and measure a normal start of an enrolled agent.
    var first = await StartAgentAsync(config);
    first.Process.Kill();
    await first.Process.WaitForExitAsync();
    var agent = await StartAgentAsync(config);
    var pid = agent.Process.Id;
    var ticks = 100.0; // USER_HZ
    var cpuStart = CpuTicks(pid);
    Console.WriteLine($"start to connected (enrolled agent): {agent.ConnectedAfter.TotalMilliseconds:0} ms; CPU used by then {cpuStart / ticks:0.00} s");
    // The start-up run overlaps the first seconds; idle CPU proper is counted from its end.
    await agent.FirstRunFinished.WaitAsync(TimeSpan.FromSeconds(60));
    var cpuAfterRun = CpuTicks(pid);
    var afterRun = Stopwatch.StartNew();
    Console.WriteLine($"start-up run finished; CPU since connected {(cpuAfterRun - cpuStart) / ticks:0.00} s, RSS {RssKib(pid) / 1024.0:0.0} MiB");
    var rss = new List<long>();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        rss.Add(RssKib(pid));
        await Task.Delay(1000);
    }

    Console.WriteLine($"RSS every 10 s (MiB): {string.Join(' ', rss.Where((_, i) => i % 10 == 0).Select(k => (k / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)))}");
    var cpuEnd = CpuTicks(pid);
    var cpuSeconds = (cpuEnd - cpuStart) / ticks;
    var idleSeconds = (cpuEnd - cpuAfterRun) / ticks;
    Console.WriteLine($"idle period: {clock.Elapsed.TotalSeconds:0} s with Watch open");
    Console.WriteLine($"RSS: start {rss[0] / 1024.0:0.0} MiB, end {rss[^1] / 1024.0:0.0} MiB, max {rss.Max() / 1024.0:0.0} MiB, mean {rss.Average() / 1024.0:0.0} MiB");
    Console.WriteLine($"CPU: {cpuSeconds:0.00} s over {clock.Elapsed.TotalSeconds:0} s = {100 * cpuSeconds / clock.Elapsed.TotalSeconds:0.000} % of one core (start-up run included)");
    Console.WriteLine($"CPU after the start-up run: {idleSeconds:0.00} s over {afterRun.Elapsed.TotalSeconds:0} s = {100 * idleSeconds / afterRun.Elapsed.TotalSeconds:0.000} % of one core");
    Console.WriteLine($"memory at the end: {MemoryBreakdown(pid)}");
    Console.WriteLine($"CPU by thread since start (ticks of 10 ms): {ThreadCpu(pid)}");
    Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
    agent.Process.Kill();
    await agent.Process.WaitForExitAsync();
}
finally
{
    master.Kill();
    await master.WaitForExitAsync();
    Directory.Delete(work, recursive: true);
}

async Task<(Process Process, TimeSpan ConnectedAfter, Task FirstRunFinished)> StartAgentAsync(string config)
{
    var start = agentCommand.StartsWith("dotnet:", StringComparison.Ordinal)
        ? new ProcessStartInfo("dotnet", [agentCommand[7..], "daemon", "--config", config])
        : new ProcessStartInfo(agentCommand, ["daemon", "--config", config]);
    start.RedirectStandardError = true;
    foreach (var pair in agentEnvironment)
    {
        start.Environment[pair[0]] = pair[1];
    }
    var connected = new TaskCompletionSource();
    var runFinished = new TaskCompletionSource();
    var clock = Stopwatch.StartNew();
    var process = Process.Start(start)!;
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is { } line && line.Contains("connected to", StringComparison.Ordinal))
        {
            connected.TrySetResult();
        }

        if (e.Data is { } done && done.Contains(" finished: ", StringComparison.Ordinal))
        {
            runFinished.TrySetResult();
        }
    };
    process.BeginErrorReadLine();
    await connected.Task.WaitAsync(TimeSpan.FromSeconds(60));
    return (process, clock.Elapsed, runFinished.Task);
}

static long RssKib(int pid) =>
    long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))[6..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);

// Where the resident memory is: anonymous (GC heap, JIT code, stacks, native allocations), file-backed
// (the single-file binary's runtime and ReadyToRun code, OpenSSL), shared memory (W^X double mapping).
static string MemoryBreakdown(int pid)
{
    var status = File.ReadLines($"/proc/{pid}/status").ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
    var byMapping = new Dictionary<string, long>();
    var current = "[anon]";
    foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
        {
            current = fields.Length >= 6 ? Path.GetFileName(fields[5]) : "[anon]";
        }
        else if (fields.Length >= 2 && fields[0] == "Rss:")
        {
            byMapping[current] = byMapping.GetValueOrDefault(current) + long.Parse(fields[1], CultureInfo.InvariantCulture);
        }
    }

    var top = string.Join(", ", byMapping.OrderByDescending(p => p.Value).Take(12).Select(p => $"{p.Key} {p.Value / 1024.0:0.0}"));
    return $"RssAnon {status["RssAnon"]}, RssFile {status["RssFile"]}, RssShmem {status["RssShmem"]}, threads {status["Threads"]}; by mapping (MiB): {top}";
}

// Which threads burn the CPU (the thread's comm name, utime+stime since the process started).
static string ThreadCpu(int pid) =>
    string.Join(", ", Directory.GetDirectories($"/proc/{pid}/task")
        .Select(task =>
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (Name: name, Ticks: long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        })
        .GroupBy(t => t.Name)
        .Select(g => (g.Key, Ticks: g.Sum(t => t.Ticks), Count: g.Count()))
        .OrderByDescending(t => t.Ticks)
        .Select(t => $"{t.Key}{(t.Count > 1 ? $" x{t.Count}" : string.Empty)} {t.Ticks}"));

static long CpuTicks(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}

static void Run(string file, string directory, params string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory })!;
    process.WaitForExit();
}
