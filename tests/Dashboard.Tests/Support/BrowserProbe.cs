using System.Diagnostics;
using System.Text.Json;

namespace Colabo.Config.Dashboard.Tests.Support;

/// <summary>
/// Runs one scenario of web/e2e/probe.mjs: Playwright (npm playwright-core) driving Debian's headless
/// Chromium against a master, answering with what the page showed as JSON.
/// </summary>
public static class BrowserProbe
{
    public static string RepoRoot { get; } = FindRoot();

    public static async Task<JsonElement> RunAsync(string scenario, Uri master, string? token, object? arguments = null, string? screenshots = null)
    {
        var script = Path.Combine(RepoRoot, "web", "e2e", "probe.mjs");
        if (!Directory.Exists(Path.Combine(RepoRoot, "web", "node_modules", "playwright-core")))
        {
            throw new InvalidOperationException("web/node_modules is missing: run tests/setup/60-web.sh (npm ci + build) first.");
        }
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(scenario);
        start.Environment["COLABO_URL"] = master.ToString().TrimEnd('/');
        start.Environment["COLABO_TOKEN"] = token ?? "";
        start.Environment["COLABO_ARGS"] = JsonSerializer.Serialize(arguments ?? new { });
        // COLABO_DASHBOARD_SCREENSHOTS=DIR keeps a screenshot of every page a test opened (docs/dashboard/).
        screenshots ??= Environment.GetEnvironmentVariable("COLABO_DASHBOARD_SCREENSHOTS");
        if (screenshots is not null)
        {
            start.Environment["COLABO_SCREENSHOTS"] = screenshots;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"probe {scenario} did not finish in 50 s: {await stderr}");
        }
        var line = (await stdout).Trim().Split('\n').LastOrDefault() ?? "";
        if (process.ExitCode != 0 || !line.StartsWith('{'))
        {
            throw new InvalidOperationException($"probe {scenario} exited {process.ExitCode}: {line}\n{await stderr}");
        }
        var answer = JsonDocument.Parse(line).RootElement.Clone();
        Assert.True(answer.GetProperty("ok").GetBoolean(), $"probe {scenario} failed: {answer}");
        Assert.True(answer.GetProperty("consoleErrors").GetArrayLength() == 0 || scenario is "anonymous" or "runNow" or "crossOrigin",
            $"the page logged errors: {answer.GetProperty("consoleErrors")}");
        return answer.GetProperty("result");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Colabo.Config.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Colabo.Config.sln) above " + AppContext.BaseDirectory);
    }
}
