using System.Globalization;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>
/// One run at a time on a host. The lock file is held open exclusively (an advisory flock the
/// kernel drops when its holder dies) and records the holder's pid, so a stale file left by a dead
/// process is simply taken over and a live holder can be named.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;

    private RunLock(FileStream stream, int? staleHolder)
    {
        _stream = stream;
        TookOverFrom = staleHolder;
    }

    /// <summary>The pid of a dead process whose leftover lock was taken over, if any.</summary>
    public int? TookOverFrom { get; }

    /// <summary>The lock, or null when a live process holds it (<paramref name="holder"/> says which).</summary>
    public static RunLock? TryAcquire(string path, out int? holder)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            holder = ReadPid(path);
            return null;
        }

        // We hold the lock, so whoever wrote a pid here is gone (or the pid was reused): stale.
        var previous = ReadPid(stream);
        int? stale = previous is { } pid && pid != Environment.ProcessId ? pid : null;

        stream.SetLength(0);
        var text = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        stream.Write(text);
        stream.Flush(flushToDisk: true);
        holder = null;
        return new RunLock(stream, stale);
    }

    public void Dispose()
    {
        var path = _stream.Name;
        try
        {
            // Delete while still holding the lock so nobody acquires a file about to vanish.
            File.Delete(path);
        }
        catch (IOException)
        {
        }

        _stream.Dispose();
    }

    /// <summary>Whether a process with this pid exists (Linux: /proc/PID).</summary>
    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

    private static int? ReadPid(string path)
    {
        try
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return ReadPid(reader);
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

    private static int? ReadPid(FileStream stream)
    {
        stream.Position = 0;
        var buffer = new byte[32];
        var read = stream.Read(buffer);
        stream.Position = 0;
        return int.TryParse(System.Text.Encoding.ASCII.GetString(buffer, 0, read).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }
}
