namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>Another live process is running; the message names its pid.</summary>
public sealed class RunLockedException : Exception
{
    public RunLockedException()
    {
    }

    public RunLockedException(string message)
        : base(message)
    {
    }

    public RunLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
