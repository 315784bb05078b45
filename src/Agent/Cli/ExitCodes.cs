namespace Colabo.Config.Agent.Cli;

/// <summary>What the agent's exit status means; scripts and CI depend on these.</summary>
public static class ExitCodes
{
    /// <summary>In sync or changed; with --noop: nothing to do.</summary>
    public const int Success = 0;

    /// <summary>The command could not run: bad arguments, unreadable catalog, missing root.</summary>
    public const int Unusable = 1;

    /// <summary>At least one resource failed (or was skipped because of a failure).</summary>
    public const int Failures = 2;

    /// <summary>--noop only: changes are pending.</summary>
    public const int ChangesPending = 3;
}
