using System.Text;
using Colabo.Config.TestSupport;

namespace Colabo.Config.SystemTests.Support;

/// <summary>Runs the programs the system test drives on the host (git, dpkg-deb, the package build).</summary>
internal static class Shell
{
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var (exitCode, text, error) = await HostProcess.RunAsync(fileName, list, timeout, cancellationToken, workingDirectory);
        return exitCode == 0
            ? text
            : throw new InvalidOperationException(new StringBuilder()
                .Append($"{fileName} {string.Join(' ', list)} failed with exit code {exitCode}:\n")
                .Append(text.Length > 4000 ? text[^4000..] : text)
                .Append(error)
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
