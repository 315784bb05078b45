namespace Colabo.Config.Cli.Commands;

/// <summary>Exit codes shared by every command (documented in docs/cli-offline.md).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The roles do not compile (validate: the repository is invalid).</summary>
    public const int CompileErrors = 1;
    /// <summary>Bad input: no such repository, ref, facts file; unreadable YAML facts.</summary>
    public const int InputError = 2;
    /// <summary><c>diff --exit-code</c> found differences.</summary>
    public const int Differences = 3;
}
