namespace Colabo.Config.Engine.Host;

/// <summary>The outcome of a finished process.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;
}
