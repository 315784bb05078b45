// dashboard-bench [--nodes 10000] [--runs 10] [--screenshots DIR] [--serve]
// Starts a colabo-master on loopback with SQLite, seeds a fleet (tests/Dashboard.Tests FleetSeeder),
// times the overview in headless Chromium (web/e2e/probe.mjs timing) and the dashboard endpoints over
// HTTPS, and prints the figures. --screenshots also takes the docs' screenshots; --serve keeps the
// master up (prints its URL and admin token) until Enter.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Colabo.Config.Dashboard.Tests.Support;
using Colabo.Config.Master;
using Colabo.Config.Store;
using Microsoft.Extensions.Logging.Abstractions;

var nodes = Option("--nodes", 10_000);
var runs = Option("--runs", 10);
var screenshots = OptionText("--screenshots");
var root = FindRoot();

var data = Directory.CreateTempSubdirectory("colabo-dash-bench-").FullName;
var options = new MasterOptions
{
    DataDir = data,
    Listen = new IPEndPoint(IPAddress.Loopback, 0),
    PollInterval = TimeSpan.Zero,
    RunInterval = FleetSeeder.RunInterval,
};
var seeding = Stopwatch.StartNew();
await using (var seeder = await MasterHost.StartAsync(options, NullLoggerFactory.Instance))
{
    var expected = await FleetSeeder.SeedAsync(seeder.Store, seeder.Keyring.Signer, SecretCipher.FromKeyFile(seeder.Paths.SecretsKey), nodes, DateTimeOffset.UtcNow);
    Console.WriteLine($"seeded {expected.Total} nodes ({expected.Corrective} corrective, {expected.Intentional} intentional, {expected.Failed} failed changes) in {seeding.Elapsed.TotalSeconds:F1} s");
}

// A master starting on a store that already holds the fleet, as after a restart.
var starting = Stopwatch.StartNew();
await using var host = await MasterHost.StartAsync(options, NullLoggerFactory.Instance);
Console.WriteLine($"master started on the seeded store in {starting.Elapsed.TotalSeconds:F2} s (includes building the dashboard's fleet index)");
var token = (await File.ReadAllTextAsync(host.Paths.AdminToken)).Trim();

if (args.Contains("--serve"))
{
    Console.WriteLine($"{host.Url}ui/  token: {token}\nPress Enter to stop.");
    Console.ReadLine();
    return;
}

using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = host.Url };
http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
foreach (var path in new[] { "/api/v1/dashboard/overview?days=7", "/api/v1/dashboard/nodes?page_size=50", "/api/v1/dashboard/nodes?status=drifted&role=web&fact=os.release=12&sort=last_report&order=desc", "/api/v1/dashboard/drift?days=7&resource=file:/etc/motd", "/api/v1/dashboard/nodes/web-00000" })
{
    var times = new List<double>();
    for (var i = 0; i < 20; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GET {path}: median {times[times.Count / 2]:F1} ms, max {times[^1]:F1} ms (20 calls)"));
}

var probe = await Probe("timing", new { runs }, screenshots);
var loads = probe.GetProperty("runs").EnumerateArray().ToList();
var rendered = loads.Select(e => e.GetProperty("rendered").GetDouble()).ToList();
double Median(string part) => loads.Select(e => e.GetProperty(part).ValueKind == JsonValueKind.Number ? e.GetProperty(part).GetDouble() : 0).Order().ElementAt(loads.Count / 2);
var sorted = rendered.Order().ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"overview rendered (navigation start → counts and chart on screen), {nodes} nodes, {rendered.Count} loads: first {rendered[0]:F0} ms (browser cache cold), median {sorted[sorted.Count / 2]:F0} ms, max {sorted[^1]:F0} ms; all: {string.Join(", ", rendered.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  of which (medians, as the browser timed them): script {Median("script"):F0} ms, session {Median("session"):F0} ms, overview {Median("overview"):F0} ms, repo status {Median("status"):F0} ms"));

if (screenshots is not null)
{
    foreach (var (scenario, arguments) in new (string, object)[] { ("overview", new { }), ("nodes", new { search = "app-0001" }), ("node", new { node = "app-00014" }), ("drift", new { }), ("anonymous", new { }) })
    {
        await Probe(scenario, arguments, screenshots, token: scenario == "anonymous" ? "" : token);
    }
    Console.WriteLine($"screenshots in {screenshots}");
}
Directory.Delete(data, recursive: true);

async Task<JsonElement> Probe(string scenario, object arguments, string? shots, string? token = null)
{
    var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = Path.Combine(root, "web", "e2e") };
    start.ArgumentList.Add("probe.mjs");
    start.ArgumentList.Add(scenario);
    start.Environment["COLABO_URL"] = host.Url.ToString().TrimEnd('/');
    start.Environment["COLABO_TOKEN"] = token ?? (File.ReadAllText(host.Paths.AdminToken).Trim());
    start.Environment["COLABO_ARGS"] = JsonSerializer.Serialize(arguments);
    if (shots is not null)
    {
        start.Environment["COLABO_SCREENSHOTS"] = Path.GetFullPath(shots);
        Directory.CreateDirectory(shots);
    }
    using var process = Process.Start(start)!;
    var line = (await process.StandardOutput.ReadToEndAsync()).Trim().Split('\n')[^1];
    await process.WaitForExitAsync();
    var answer = JsonDocument.Parse(line).RootElement.Clone();
    return answer.GetProperty("ok").GetBoolean() ? answer.GetProperty("result") : throw new InvalidOperationException(line);
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

string? OptionText(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Colabo.Config.sln")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("Cannot find the repository root.");
}
