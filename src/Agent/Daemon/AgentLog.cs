namespace Colabo.Config.Agent.Daemon;

/// <summary>
/// journald-friendly logging: one plain line per event on stderr, prefixed with the syslog
/// priority ("&lt;6&gt;" info, "&lt;4&gt;" warning, "&lt;3&gt;" error) that journald turns into PRIORITY.
/// </summary>
public sealed class AgentLog(TextWriter writer, bool priorities = true)
{
    private readonly Lock _gate = new();

    public static AgentLog Null { get; } = new(TextWriter.Null);

    public void Info(string message) => Write(6, message);

    public void Warning(string message) => Write(4, message);

    public void Error(string message) => Write(3, message);

    public void Debug(string message) => Write(7, message);

    private void Write(int priority, string message)
    {
        var line = priorities ? $"<{priority}>{message}" : message;
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
