using System.Diagnostics;
using System.Text.Json;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>The colabo-master program's console logs as a log shipper reads them.</summary>
public sealed class MasterLoggingTests
{
    [Fact(Timeout = 90_000)]
    public async Task With_log_format_json_every_line_is_a_json_object_whose_state_holds_the_named_values()
    {
        var repo = await TestRoleRepo.CreateAsync();
        var head = await repo.CommitAsync("v2", ("roles/base.yaml", TestRoleRepo.Base("welcome v2")));
        var dataDir = Directory.CreateTempSubdirectory("colabo-master-log-").FullName;
        var program = Path.Combine(AppContext.BaseDirectory, "colabo-master.dll");
        using var master = Process.Start(new ProcessStartInfo("dotnet", [program, "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--repo", repo.Path, "--log-format", "json"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var lines = new List<string>();
        var published = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        master.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(e.Data);
            }
            if (e.Data.Contains("published commit", StringComparison.Ordinal))
            {
                published.TrySetResult(e.Data);
            }
        };
        master.ErrorDataReceived += (_, _) => { };
        master.BeginOutputReadLine();
        master.BeginErrorReadLine();
        try
        {
            var line = await published.Task.WaitAsync(TimeSpan.FromSeconds(60));

            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
            Assert.Equal("Colabo.Config.Master.Roles.RoleSource", root.GetProperty("Category").GetString());
            Assert.True(root.TryGetProperty("Timestamp", out _));
            Assert.Equal(("main", head), (root.GetProperty("State").GetProperty("Environment").GetString(), root.GetProperty("State").GetProperty("Commit").GetString()));
            lock (lines)
            {
                Assert.All(lines, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
            }
        }
        finally
        {
            master.Kill(entireProcessTree: true);
            await master.WaitForExitAsync();
        }
    }
}
