extern alias cli;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;
using Colabo.Config.TestSupport;

namespace Colabo.Config.SystemTests.Support;

/// <summary>
/// The system under test, set up once for the whole story: the .debs built by packaging/build-debs.sh;
/// the packaged colabo-master on SQLite serving examples/roles (plus one node entry) and the agent
/// package under /downloads; a Debian container booted with systemd whose NoCloud seed is the output of
/// <c>colabo bootstrap cloud-init --roles base,web</c>. Ready once the agent's first report reached the
/// master. The container shares the host's network: it reaches the master on 127.0.0.1 and the Debian
/// mirror, and the host reaches its nginx.
/// </summary>
public sealed class BootstrappedNode : IAsyncLifetime
{
    public const string NodeName = "web-e2e.colabo.test";
    public const string ServerName = "e2e.colabo.test";
    public const string CloudInitImage = "bookworm-cloudinit";

    private readonly string _workspace = Directory.CreateTempSubdirectory("colabo-system-").FullName;
    private readonly Stopwatch _clock = new();

    public MasterProcess Master { get; private set; } = null!;

    public RoleRepository Roles { get; private set; } = null!;

    public NspawnContainer Container { get; private set; } = null!;

    /// <summary>The port nginx serves the site on (a node parameter: the host's own 80/8080 may be taken).</summary>
    public int WebPort { get; private set; }

    public string UserData { get; private set; } = string.Empty;

    /// <summary>What setting up took, for the report and docs/system-test.md (never asserted).</summary>
    public IDictionary<string, TimeSpan> Timings { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        try
        {
            // tests/setup/50-system.sh builds them ahead; this only builds when the sources are newer.
            await Time("packages", async () => await AgentPackages.EnsureBuiltAsync(CancellationToken.None));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var ct = timeout.Token;
            WebPort = FreePort();
            Roles = await RoleRepository.CreateAsync(
                Path.Combine(_workspace, "roles"),
                $"""
                  {NodeName}:
                    params:
                      web:
                        server_name: {ServerName}
                        port: {WebPort.ToString(CultureInfo.InvariantCulture)}

                """,
                ct);
            Master = await Time("master start", () => MasterProcess.StartAsync(
                AgentPackages.Master, Path.Combine(_workspace, "install"), Path.Combine(_workspace, "master"), Roles.Path, ct));

            var (exit, output, error) = await ColaboAsync(
                "--data-dir", Master.DataDir, "bootstrap", "cloud-init", "--master", Master.Url.ToString(),
                "--roles", "base,web", "--expires", "1h", "--node-name", NodeName,
                // No scheduled run may fall into the story: every run in it is one the test caused.
                "--interval", "1d");
            if (exit != 0)
            {
                throw new InvalidOperationException($"colabo bootstrap cloud-init failed ({exit}): {error}");
            }

            UserData = output;
            Container = await Time("boot with cloud-init", () => NspawnContainer.StartAsync(CloudInitImage, SeedAsync, TimeSpan.FromMinutes(8), ct));
            await Time("first report", () => WaitForReportsAsync(1, TimeSpan.FromMinutes(8), ct));
            await WaitForAsync(() => Task.FromResult(AgentBusy ? null : "idle"), TimeSpan.FromMinutes(2), "the agent to finish its first run", ct);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"setting up the system under test failed: {e.Message}\n{await DiagnosticsAsync()}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (Container is not null)
        {
            await Container.DisposeAsync();
        }

        if (Master is not null)
        {
            await Master.DisposeAsync();
        }

        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; /tmp is cleaned by the OS.
        }
    }

    /// <summary>Runs a command inside the container; throws with its output when it fails.</summary>
    public async Task<string> InsideAsync(params string[] command)
    {
        var (exit, output, error) = await Container.ExecAsync(command, TimeSpan.FromMinutes(3));
        return exit == 0 ? output : throw new InvalidOperationException($"{string.Join(' ', command)} failed in the container ({exit}): {output}{error}");
    }

    public Task<(int ExitCode, string Output, string Error)> TryInsideAsync(params string[] command) =>
        Container.ExecAsync(command, TimeSpan.FromMinutes(3));

    /// <summary>True while a run holds the agent's run lock: its pid file exists exactly then.</summary>
    public bool AgentBusy => File.Exists(Container.RootFileSystem.Resolve("/var/lib/colabo/run.lock.pid"));

    /// <summary>A file of the container, read through its root directory.</summary>
    public string ReadInside(string path) => File.ReadAllText(Container.RootFileSystem.Resolve(path));

    public async Task<IReadOnlyList<RunSummary>> ReportsAsync(CancellationToken cancellationToken = default) =>
        (await Master.Admin.ListReportsAsync(new ListReportsRequest { Node = NodeName, Limit = 1000 }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellationToken))).Reports;

    /// <summary>Waits (bounded) until the master holds at least <paramref name="count"/> reports of the node.</summary>
    public async Task<IReadOnlyList<RunSummary>> WaitForReportsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await WaitForAsync(async () => await ReportsAsync(cancellationToken) is var reports && reports.Count >= count ? reports : null, timeout, $"{count} reports of {NodeName} on the master", cancellationToken);

    /// <summary>Asks <paramref name="probe"/> every 250 ms until it returns a value, at most <paramref name="timeout"/>.</summary>
    public async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
        where T : class
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        while (true)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (RpcException) when (!bounded.IsCancellationRequested)
            {
                // The master is restarting; ask again.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), bounded.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"waited {timeout} for {what}\n{await DiagnosticsAsync()}");
            }
        }
    }

    /// <summary>The colabo CLI, in process, against this master's data dir (its admin credential).</summary>
    public Task<(int Exit, string Output, string Error)> ColaboAdminAsync(params string[] args) =>
        ColaboAsync(["--data-dir", Master.DataDir, .. args]);

    /// <summary>What helps when a step fails: the agent's journal, cloud-init's output, the master's log.</summary>
    public async Task<string> DiagnosticsAsync()
    {
        var text = new System.Text.StringBuilder();
        if (Container is not null)
        {
            foreach (var command in new[]
            {
                new[] { "journalctl", "--no-pager", "-o", "cat", "-n", "80", "-u", "colabo-agent" },
                ["tail", "-n", "40", "/var/log/cloud-init-output.log"],
                ["systemctl", "--failed", "--no-pager"],
            })
            {
                try
                {
                    var (_, output, error) = await Container.ExecAsync(command, TimeSpan.FromSeconds(30));
                    text.Append($"--- {string.Join(' ', command)}\n{output}{error}");
                }
                catch (TimeoutException e)
                {
                    text.Append($"--- {string.Join(' ', command)}: {e.Message}\n");
                }
            }
        }

        if (Master is not null)
        {
            var log = Master.ReadLog();
            text.Append($"--- master log (tail)\n{(log.Length > 4000 ? log[^4000..] : log)}");
        }

        return text.ToString();
    }

    private async Task SeedAsync(DebianRoot root)
    {
        var seed = root.Resolve("/var/lib/cloud/seed/nocloud");
        Directory.CreateDirectory(seed);
        await File.WriteAllTextAsync(Path.Combine(seed, "user-data"), UserData);
        await File.WriteAllTextAsync(Path.Combine(seed, "meta-data"), $"instance-id: colabo-e2e-{Guid.NewGuid():N}\nlocal-hostname: web-e2e\n");
    }

    private async Task<T> Time<T>(string what, Func<Task<T>> step)
    {
        _clock.Restart();
        var result = await step();
        Timings[what] = _clock.Elapsed;
        return result;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Exit, string Output, string Error)> ColaboAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await cli::Program.BuildRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
