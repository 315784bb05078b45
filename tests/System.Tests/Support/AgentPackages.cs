namespace Colabo.Config.SystemTests.Support;

/// <summary>
/// The .deb packages under test, built by packaging/build-debs.sh into artifacts/system-test/deb of the
/// checkout. Rebuilt when any file under src/ or packaging/ is newer than them, so the test always
/// installs what the tree builds, and a second run does not pay for the build again.
/// </summary>
internal static class AgentPackages
{
    public const string Version = "0.1.0";

    public static string Directory => Path.Combine(Shell.RepositoryRoot, "artifacts", "system-test", "deb");

    public static string Agent => Path.Combine(Directory, $"colabo-agent_{Version}_amd64.deb");

    public static string Master => Path.Combine(Directory, $"colabo-master_{Version}_amd64.deb");

    /// <summary>Builds the packages when missing or stale; returns whether it built.</summary>
    public static async Task<bool> EnsureBuiltAsync(CancellationToken cancellationToken)
    {
        // The agent package is built first: when it is newer than the master's, the master's build did not finish.
        if (File.Exists(Agent) && File.Exists(Master) && File.GetLastWriteTimeUtc(Agent) <= File.GetLastWriteTimeUtc(Master))
        {
            if (NewestSource() < File.GetLastWriteTimeUtc(Agent))
            {
                return false;
            }
        }

        await Shell.RunAsync(
            "env", ["DEB_COMPRESSION=gzip", Path.Combine(Shell.RepositoryRoot, "packaging", "build-debs.sh"), Directory],
            TimeSpan.FromMinutes(40), Shell.RepositoryRoot, cancellationToken);
        return true;
    }

    private static DateTime NewestSource()
    {
        var newest = DateTime.MinValue;
        foreach (var top in new[] { "src", "packaging", "proto" })
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(Shell.RepositoryRoot, top), "*", SearchOption.AllDirectories))
            {
                if (file.Contains("/bin/", StringComparison.Ordinal) || file.Contains("/obj/", StringComparison.Ordinal))
                {
                    continue;
                }

                var written = File.GetLastWriteTimeUtc(file);
                if (written > newest)
                {
                    newest = written;
                }
            }
        }

        return newest;
    }
}
