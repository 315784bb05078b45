namespace Colabo.Config.Agent.Cli;

/// <summary>One verb of colabo-agent ("apply", later "run", "enroll", ...).</summary>
public interface IAgentCommand
{
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage text, shown for --help and usage errors.</summary>
    string Usage { get; }

    /// <summary>Options that take a value ("--root").</summary>
    IReadOnlySet<string> ValueOptions { get; }

    /// <summary>Options without a value ("--noop").</summary>
    IReadOnlySet<string> Flags { get; }

    Task<int> RunAsync(ArgumentReader arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken);
}
