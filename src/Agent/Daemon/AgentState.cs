namespace Colabo.Config.Agent.Daemon;

/// <summary>The agent's state directory (default /var/lib/colabo) and its files, written atomically, private to root.</summary>
public sealed class AgentState
{
    public AgentState(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>The node's private key (PKCS#8 PEM, mode 0600); never leaves the host.</summary>
    public string KeyFile => Path.Combine(Directory, "node.key");

    public string CertificateFile => Path.Combine(Directory, "node.crt");

    /// <summary>The master CA returned at enrollment: trusted for TLS and for catalog signatures.</summary>
    public string CaFile => Path.Combine(Directory, "ca.crt");

    /// <summary>The master's URL as given at enrollment (agent.yaml's master wins when set).</summary>
    public string MasterFile => Path.Combine(Directory, "master.url");

    /// <summary>The last signed catalog received, re-verified every time it is used.</summary>
    public string CatalogCacheFile => Path.Combine(Directory, "cache", "catalog.signed");

    public string SpoolDirectory => Path.Combine(Directory, "spool");

    public string LockFile => Path.Combine(Directory, "run.lock");

    /// <summary>The summary of the last run (binary RunSummary), for "colabo-agent status".</summary>
    public string LastRunFile => Path.Combine(Directory, "last-run.pb");

    /// <summary>The run interval the master last sent, in seconds (agent.yaml's interval wins when set).</summary>
    public string RunIntervalFile => Path.Combine(Directory, "run-interval");

    /// <summary>Present once the master revoked this node's certificate: the daemon refuses to start until re-enrolled.</summary>
    public string RevokedFile => Path.Combine(Directory, "revoked");

    public bool IsEnrolled => File.Exists(KeyFile) && File.Exists(CertificateFile) && File.Exists(CaFile);

    public void EnsureCreated()
    {
        foreach (var dir in new[] { Directory, Path.GetDirectoryName(CatalogCacheFile)!, SpoolDirectory })
        {
            System.IO.Directory.CreateDirectory(dir);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    /// <summary>Temp file + fsync + rename, mode 0600 before the rename: a crash leaves the old or the new file.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(path);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static void WriteAtomically(string path, string text) => WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(text));
}
