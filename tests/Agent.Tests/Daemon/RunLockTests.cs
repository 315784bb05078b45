using System.Diagnostics;
using System.Globalization;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Agent.Tests.Support;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class RunLockTests
{
    [Fact]
    public void A_second_run_is_refused_while_the_first_holds_the_lock_and_is_named()
    {
        using var dir = new TempDir();
        var path = dir.Combine("run.lock");

        using var first = RunLock.TryAcquire(path, out _);
        var second = RunLock.TryAcquire(path, out var holder);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal(Environment.ProcessId, holder);
    }

    [Fact]
    public void The_lock_is_free_again_after_the_run()
    {
        using var dir = new TempDir();
        var path = dir.Combine("run.lock");

        RunLock.TryAcquire(path, out _)!.Dispose();
        using var again = RunLock.TryAcquire(path, out _);

        Assert.NotNull(again);
        Assert.Null(again.TookOverFrom);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stale_lock_left_by_a_dead_process_is_taken_over()
    {
        using var dir = new TempDir();
        var path = dir.Combine("run.lock");
        using var dead = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await dead.WaitForExitAsync();
        await File.WriteAllTextAsync(path, string.Empty);
        await File.WriteAllTextAsync(RunLock.PidFileOf(path), dead.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        Assert.False(RunLock.IsAlive(dead.Id));

        using var taken = RunLock.TryAcquire(path, out var holder);

        Assert.NotNull(taken);
        Assert.Null(holder);
        Assert.Equal(dead.Id, taken.TookOverFrom);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), File.ReadAllText(RunLock.PidFileOf(path)).Trim());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lock_held_by_another_live_process_is_respected()
    {
        using var dir = new TempDir();
        var path = dir.Combine("run.lock");
        // flock(1) holds an exclusive lock on the file while sleep runs: a real other process.
        var pidFile = RunLock.PidFileOf(path);
        using var other = Process.Start(new ProcessStartInfo("flock", ["-x", path, "-c", "echo $$ > " + pidFile + ".tmp; mv " + pidFile + ".tmp " + pidFile + "; exec sleep 30"]) { UseShellExecute = false })!;
        try
        {
            // Bounded wait for the other process to have taken the lock and written its pid.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!File.Exists(pidFile) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            var refused = RunLock.TryAcquire(path, out var holder);

            Assert.Null(refused);
            Assert.NotNull(holder);
            Assert.True(RunLock.IsAlive(holder.Value));
        }
        finally
        {
            other.Kill(entireProcessTree: true);
            await other.WaitForExitAsync();
        }
    }
}
