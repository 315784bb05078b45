using System.Diagnostics;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>The colabo-master program itself, as systemd runs it.</summary>
public sealed class MasterProcessTests
{
    [Fact(Timeout = 90_000)]
    public async Task SIGTERM_stops_the_master_cleanly_with_exit_code_0()
    {
        var dataDir = Directory.CreateTempSubdirectory("colabo-master-proc-").FullName;
        var program = Path.Combine(AppContext.BaseDirectory, "colabo-master.dll");
        using var master = Process.Start(new ProcessStartInfo("dotnet", [program, "--data-dir", dataDir, "--listen", "127.0.0.1:0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var started = new TaskCompletionSource();
        master.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("colabo-master: listening on", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        master.OutputDataReceived += (_, _) => { };
        master.BeginErrorReadLine();
        master.BeginOutputReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));

            using (var kill = Process.Start("kill", ["-TERM", master.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            await master.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(0, master.ExitCode);
        }
        finally
        {
            if (!master.HasExited)
            {
                master.Kill(entireProcessTree: true);
            }
        }
    }
}
