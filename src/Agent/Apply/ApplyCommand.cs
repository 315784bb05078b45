using System.Globalization;
using Colabo.Config.Agent.Cli;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;
using Colabo.Config.Modules;

namespace Colabo.Config.Agent.Apply;

/// <summary>"colabo-agent apply CATALOG --root DIR [--noop]": converges a catalog file without a master.</summary>
public sealed class ApplyCommand : IAgentCommand
{
    public string Name => "apply";

    public string Summary => "converge a catalog file (proto3 JSON or binary) on this host or a root directory";

    public string Usage =>
        """
        usage: colabo-agent apply CATALOG [--root DIR] [--noop] [--format text|json] [--verbose]
                                          [--parallelism N] [--timeout SECONDS]

          CATALOG            catalog file: proto3 JSON (as 'colabo plan --format json' writes it) or
                             binary protobuf; '-' reads standard input
          --root DIR         converge this directory as if it were '/' (default: '/')
          --noop             report what would change, change nothing
          --format FORMAT    text (default) or json: {"summary": ..., "outcomes": [...]}
          --verbose          text: also list resources that are in sync
          --parallelism N    independent resources converged at once (default: 2 x cores, at least 4)
          --timeout SECONDS  per-resource limit when the resource sets none (default: 300)

        exit status: 0 in sync or changed (--noop: nothing to do), 2 failures,
                     3 --noop with changes pending, 1 the catalog or arguments are unusable
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["--root", "--format", "--parallelism", "--timeout"], StringComparer.Ordinal);

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>(["--noop", "--verbose"], StringComparer.Ordinal);

    public async Task<int> RunAsync(ArgumentReader arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (arguments.Positionals.Count != 1)
        {
            throw new UsageException(arguments.Positionals.Count == 0 ? "a catalog file is required" : "only one catalog file can be applied at a time");
        }

        var format = arguments.Option("--format") ?? "text";
        if (format is not ("text" or "json"))
        {
            throw new UsageException($"--format must be text or json, not '{format}'");
        }

        var root = Root(arguments.Option("--root") ?? "/");
        var options = new RunOptions
        {
            Mode = arguments.Flag("--noop") ? RunMode.Noop : RunMode.Enforce,
            MaxParallelism = PositiveInt(arguments, "--parallelism") ?? new RunOptions().MaxParallelism,
            DefaultTimeout = PositiveInt(arguments, "--timeout") is { } seconds ? TimeSpan.FromSeconds(seconds) : new RunOptions().DefaultTimeout,
        };

        Catalog catalog;
        try
        {
            catalog = await CatalogFile.LoadAsync(arguments.Positionals[0], cancellationToken);
        }
        catch (InvalidDataException e)
        {
            await error.WriteLineAsync($"colabo-agent apply: {e.Message}");
            return ExitCodes.Unusable;
        }

        var verbose = arguments.Flag("--verbose");
        if (format == "text")
        {
            await output.WriteLineAsync(Header(catalog, root, options));
            options = options with
            {
                // Text is printed as outcomes complete, so a long run shows progress.
                OnOutcome = async (outcome, ct) =>
                {
                    var line = ReportWriter.Outcome(outcome, verbose);
                    if (line.Length > 0)
                    {
                        await output.WriteAsync(line.AsMemory(), ct);
                    }
                },
            };
        }

        var engine = new ConvergenceEngine(AgentModules.Registry(catalog.Node.Length > 0 ? catalog.Node : Environment.MachineName), ModuleContext.ForRoot(root));
        var report = await engine.RunAsync(catalog, options, cancellationToken);
        if (format == "json")
        {
            ReportWriter.WriteJson(report, output);
        }
        else
        {
            await output.WriteLineAsync(ReportWriter.Summary(report.Summary));
        }

        await output.FlushAsync(cancellationToken);
        return report.HasFailures || report.Summary.Skipped > 0 ? ExitCodes.Failures
            : options.Mode == RunMode.Noop && report.HasPendingChanges ? ExitCodes.ChangesPending
            : ExitCodes.Success;
    }

    private static string Header(Catalog catalog, TargetRoot root, RunOptions options)
    {
        var commit = catalog.Commit.Length >= 12 ? catalog.Commit[..12] : catalog.Commit;
        var node = catalog.Node.Length > 0 ? catalog.Node : "(unnamed node)";
        var mode = options.Mode == RunMode.Noop ? "noop (nothing will be changed)" : "enforce";
        return $"applying catalog of {node}{(commit.Length > 0 ? $" at {commit}" : string.Empty)}, {catalog.Resources.Count} resources, on {root.Path}, mode {mode}";
    }

    private static TargetRoot Root(string path)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new UsageException($"--root '{path}' is not an existing directory");
        }

        return new TargetRoot(full);
    }

    private static int? PositiveInt(ArgumentReader arguments, string name)
    {
        var text = arguments.Option(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{name} must be a positive whole number, not '{text}'");
    }
}
