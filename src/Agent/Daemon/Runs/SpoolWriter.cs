using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>Appends one run's report messages to its spool file, flushed per message.</summary>
public sealed class SpoolWriter : IDisposable
{
    private readonly FileStream _stream;

    internal SpoolWriter(string path)
    {
        _stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    public void Append(ReportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.WriteDelimitedTo(_stream);
        _stream.Flush();
    }

    public void Dispose()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
    }
}
