using System.Globalization;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>
/// One run at a time on a host. The lock file is held open exclusively (an advisory flock that the
/// kernel drops when its holder dies, so a crash never leaves the host locked) and the holder's pid
/// is written next to it ("run.lock.pid") so that a refused run can name the holder, and a pid left
/// by a dead process is reported as taken over.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _pidFile;

    private RunLock(FileStream stream, string pidFile, int? staleHolder)
    {
        _stream = stream;
        _pidFile = pidFile;
        TookOverFrom = staleHolder;
    }

    /// <summary>The pid of a dead process whose leftover lock was taken over, if any.</summary>
    public int? TookOverFrom { get; }

    public static string PidFileOf(string lockPath) => lockPath + ".pid";

    /// <summary>The lock, or null when a live process holds it (<paramref name="holder"/> names it when known).</summary>
    public static RunLock? TryAcquire(string path, out int? holder)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var pidFile = PidFileOf(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            holder = ReadPid(pidFile);
            return null;
        }

        // We hold the lock, so whoever wrote a pid here is gone (or it is a reused pid): stale.
        int? stale = ReadPid(pidFile) is { } pid && pid != Environment.ProcessId ? pid : null;
        AgentState.WriteAtomically(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        holder = null;
        return new RunLock(stream, pidFile, stale);
    }

    public void Dispose()
    {
        try
        {
            // Remove the pid while still holding the lock, so nobody reads a pid about to be wrong.
            File.Delete(_pidFile);
        }
        catch (IOException)
        {
        }

        _stream.Dispose();
    }

    /// <summary>Whether a process with this pid exists (Linux: /proc/PID).</summary>
    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

    private static int? ReadPid(string pidFile)
    {
        try
        {
            return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
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
