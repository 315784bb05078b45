using System.Diagnostics;
using System.Threading.Channels;

namespace Colabo.Config.Master.Bench;

/// <summary>A process the orchestrator started: the master, or a worker spoken to line by line.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StreamWriter? _log;

    private ChildProcess(Process process, StreamWriter? log)
    {
        _process = process;
        _log = log;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a process; stdout lines are kept for <see cref="ExpectAsync"/> (or logged), stderr goes to <paramref name="logFile"/>.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string logFile, bool protocolOnStdout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var child = new ChildProcess(process, log);
        process.ErrorDataReceived += (_, e) => child.Log(e.Data);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
            }
            else if (protocolOnStdout)
            {
                child._lines.Writer.TryWrite(e.Data);
            }
            else
            {
                child.Log(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return child;
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>The next stdout line starting with <paramref name="word"/> (other lines are logged).</summary>
    public async Task<string[]> ExpectAsync(string word, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(limit.Token);
                var words = line.Split(' ');
                if (words[0] == word)
                {
                    return words;
                }
                Log(line);
            }
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"process {_process.Id} exited before answering '{word}' (see its log)");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {_process.Id} did not answer '{word}' within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Resident set size and its peak, from /proc (this process alone, not its children).</summary>
    public (double RssMiB, double PeakMiB) Memory()
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) / 1024.0;
            }
        }
        return (rss, peak);

        static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Open file descriptors of the process.</summary>
    /// <summary>User plus system CPU time the process used so far (/proc/PID/stat, clock ticks of 10 ms).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    public int OpenFiles() => Directory.GetFiles($"/proc/{_process.Id}/fd").Length;

    /// <summary>SIGTERM, then waits up to <paramref name="grace"/> before killing.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var limit = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _log?.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
        _log?.Dispose();
    }
}
