using System.Diagnostics;
using System.Globalization;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.TestSupport;

/// <summary>
/// A booted systemd container: <c>systemd-nspawn -b -D ROOT --register=no --keep-unit</c> on a private
/// overlay of the cached bookworm-systemd root. Commands run inside through
/// <c>nsenter -t PID -m -u -i -n -p</c> with the PID of the container's init. Disposing kills the
/// container (SIGKILL to its init ends the whole PID namespace) and removes the root.
/// </summary>
public sealed class NspawnContainer : IAsyncDisposable
{
    private readonly Process _nspawn;

    private NspawnContainer(DebianRoot root, Process nspawn, int leaderPid)
    {
        RootFileSystem = root;
        _nspawn = nspawn;
        LeaderPid = leaderPid;
    }

    public DebianRoot RootFileSystem { get; }

    public TargetRoot Root => RootFileSystem.Root;

    /// <summary>The host PID of the container's init (PID 1 inside).</summary>
    public int LeaderPid { get; }

    /// <summary>The words that enter the container's namespaces, for a command prefix.</summary>
    public IReadOnlyList<string> EnterPrefix => ["nsenter", "-t", LeaderPid.ToString(CultureInfo.InvariantCulture), "-m", "-u", "-i", "-n", "-p"];

    public static Task<NspawnContainer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(DebianRoot.Systemd, prepare: null, TimeSpan.FromSeconds(60), cancellationToken);

    /// <summary>
    /// Boots a container on a private overlay of the cached <paramref name="image"/>; <paramref name="prepare"/>
    /// writes into the root before boot (e.g. a cloud-init seed). Returns once boot finished (every start
    /// job done, which includes cloud-init's), bounded by <paramref name="bootTimeout"/>.
    /// </summary>
    public static async Task<NspawnContainer> StartAsync(string image, Func<DebianRoot, Task>? prepare, TimeSpan bootTimeout, CancellationToken cancellationToken = default)
    {
        var root = await DebianRoot.CreateAsync(image, cancellationToken);
        Process? nspawn = null;
        try
        {
            if (prepare is not null)
            {
                await prepare(root);
            }

            var start = new ProcessStartInfo("systemd-nspawn")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--quiet", "--boot", "--directory", root.Path, "--register=no", "--keep-unit", "--console=pipe", "--machine", System.IO.Path.GetFileName(root.Path) })
            {
                start.ArgumentList.Add(argument);
            }

            nspawn = Process.Start(start) ?? throw new InvalidOperationException("could not start systemd-nspawn");
            nspawn.StandardInput.Close();
            // The console is not read by anyone; drain it so the container never blocks on a full pipe.
            _ = nspawn.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            var errors = nspawn.StandardError.ReadToEndAsync(CancellationToken.None);

            var leader = await FindLeaderAsync(nspawn, errors, cancellationToken);
            var container = new NspawnContainer(root, nspawn, leader);

            // "--wait" blocks until boot finished, once systemd listens at all; before that systemctl
            // fails at once ("offline", or no bus yet), so ask again (bounded). "degraded" still means up.
            using var boot = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            boot.CancelAfter(bootTimeout);
            var (exitCode, output, error) = await container.ExecAsync(["systemctl", "is-system-running", "--wait"], bootTimeout, boot.Token);
            while (output.Trim() is "offline" or "")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), boot.Token);
                (exitCode, output, error) = await container.ExecAsync(["systemctl", "is-system-running", "--wait"], bootTimeout, boot.Token);
            }

            var state = output.Trim();
            if (state is not ("running" or "degraded"))
            {
                throw new InvalidOperationException($"container did not boot: is-system-running said '{state}' (exit {exitCode}) {error.Trim()}");
            }

            return container;
        }
        catch
        {
            if (nspawn is not null)
            {
                try
                {
                    nspawn.Kill(entireProcessTree: true);
                    await nspawn.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
                }
                catch (InvalidOperationException)
                {
                    // Already exited.
                }

                nspawn.Dispose();
            }

            await root.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside the container.</summary>
    public Task<(int ExitCode, string Output, string Error)> ExecAsync(IReadOnlyList<string> command, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        HostProcess.RunAsync("nsenter", [.. EnterPrefix.Skip(1), .. command], timeout ?? TimeSpan.FromSeconds(60), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var leader = Process.GetProcessById(LeaderPid);
            leader.Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            try
            {
                await _nspawn.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _nspawn.Kill(entireProcessTree: true);
            }
        }

        _nspawn.Dispose();
        await RootFileSystem.DisposeAsync();
    }

    /// <summary>The container's init is the child of systemd-nspawn whose PID inside its namespace is 1.</summary>
    private static async Task<int> FindLeaderAsync(Process nspawn, Task<string> errors, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (nspawn.HasExited)
            {
                throw new InvalidOperationException($"systemd-nspawn exited with {nspawn.ExitCode}: {(await errors).Trim()}");
            }

            foreach (var child in Children(nspawn.Id))
            {
                var status = TryRead($"/proc/{child}/status");
                var nspid = status?.Split('\n').FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
                if (nspid is not null && nspid.Split('\t', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 3 } ids && ids[^1] == "1")
                {
                    return child;
                }
            }

            // Bounded wait for the fork; the timeout above ends it.
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        var tasks = new DirectoryInfo($"/proc/{pid}/task");
        if (!tasks.Exists)
        {
            yield break;
        }

        foreach (var task in tasks.EnumerateDirectories())
        {
            var children = TryRead(System.IO.Path.Combine(task.FullName, "children"));
            foreach (var child in (children ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return int.Parse(child, CultureInfo.InvariantCulture);
            }
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
