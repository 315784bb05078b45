using System.Diagnostics;
using System.Text;

namespace Colabo.Config.SystemTests.Support;

/// <summary>Runs the programs the system test drives on the host (git, dpkg-deb, the package build).</summary>
internal static class Shell
{
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var output = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var error = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }

        var text = await output;
        return process.ExitCode == 0
            ? text
            : throw new InvalidOperationException(new StringBuilder()
                .Append($"{fileName} {string.Join(' ', start.ArgumentList)} failed with exit code {process.ExitCode}:\n")
                .Append(text.Length > 4000 ? text[^4000..] : text)
                .Append(await error)
                .ToString());
    }

    /// <summary>The repository checkout the tests run from (the directory holding Colabo.Config.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Colabo.Config.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Colabo.Config.sln above {AppContext.BaseDirectory}");
    }
}
