using System.Globalization;
using Colabo.Config.Agent.Cli;
using Colabo.Config.Agent.Daemon.Catalogs;
using Colabo.Config.Agent.Daemon.Configuration;
using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Daemon.Commands;

/// <summary>"colabo-agent status": what this node is, from local state only (works with the master down).</summary>
public sealed class StatusCommand : IAgentCommand
{
    public string Name => "status";

    public string Summary => "show the enrolled node, certificate expiry, last run, catalog hash and master";

    public string Usage =>
        """
        usage: colabo-agent status [--config FILE]

          --config FILE  agent configuration (default: /etc/colabo/agent.yaml)

        Reads only local state (no network). exit status: 0 enrolled, 1 not enrolled or unreadable
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["--config"], StringComparer.Ordinal);

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal);

    public async Task<int> RunAsync(ArgumentReader arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        AgentConfig config;
        try
        {
            config = ConfigOption.Load(arguments, required: false);
        }
        catch (AgentConfigException e)
        {
            await error.WriteLineAsync($"colabo-agent status: {e.Message}");
            return ExitCodes.Unusable;
        }

        var state = new AgentState(config.StateDir);
        var master = config.Master?.ToString() ?? (File.Exists(state.MasterFile) ? File.ReadAllText(state.MasterFile).Trim() : "(not configured)");
        if (!state.IsEnrolled)
        {
            await output.WriteLineAsync($"node:         not enrolled (state {state.Directory})\nmaster:       {master}\nenrollment:   {(File.Exists(config.EnrollmentTokenFile) ? $"token waiting at {config.EnrollmentTokenFile}" : "no token")}");
            return ExitCodes.Unusable;
        }

        using var identity = NodeIdentity.Load(state);
        var now = DateTimeOffset.UtcNow;
        var lines = new List<string>
        {
            $"node:         {identity.NodeName}",
            $"master:       {master}",
            $"certificate:  valid until {identity.NotAfter:u} ({Days(identity.NotAfter - now)}), renewal from {identity.RenewAt:u}",
            $"ca:           sha256:{NodeIdentity.Fingerprint(identity.Ca)}",
            $"interval:     {Interval(config, state)}",
        };
        if (File.Exists(state.RevokedFile))
        {
            lines.Add($"revoked:      {File.ReadAllText(state.RevokedFile).Trim()}");
        }

        var cache = new CatalogCache(state);
        string catalogLine;
        try
        {
            catalogLine = cache.Load(identity.Ca, identity.NodeName, now) is { } cached
                ? $"{cached.Catalog.ContentHash} (commit {Short(cached.Catalog.Commit)}, {cached.Catalog.Resources.Count} resources, signature valid)"
                : "none cached";
        }
        catch (CatalogRejectedException e)
        {
            catalogLine = $"cached catalog REFUSED: {e.Message}";
        }

        lines.Add($"catalog:      {catalogLine}");
        lines.Add($"last run:     {(File.Exists(state.LastRunFile) ? Describe(RunSummary.Parser.ParseFrom(File.ReadAllBytes(state.LastRunFile))) : "never")}");
        var spooled = new ReportSpool(state.SpoolDirectory).PendingRunIds().Count;
        lines.Add($"spool:        {(spooled == 0 ? "empty" : $"{spooled} report(s) waiting to be sent")}");
        await output.WriteLineAsync(string.Join('\n', lines));
        return ExitCodes.Success;
    }

    /// <summary>One line: when, mode, counts, error.</summary>
    public static string Describe(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var when = summary.FinishedAt?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "?";
        var mode = summary.Mode == RunMode.Noop ? "noop" : "enforce";
        return summary.Error.Length > 0
            ? $"{when} {mode} run {summary.RunId} did not run: {summary.Error}"
            : $"{when} {mode} run {summary.RunId}: {summary.Total} resources, {summary.Changed} changed, {summary.WouldChange} would change, {summary.Failed} failed, {summary.Skipped} skipped, {summary.InSync} in sync";
    }

    private static string Interval(AgentConfig config, AgentState state)
    {
        var fromMaster = Scheduling.RunInterval.Load(state);
        var interval = Scheduling.RunInterval.Effective(config.Interval, fromMaster);
        var source = config.Interval is not null ? "agent.yaml" : fromMaster is not null ? "from the master" : "default";
        return $"{AgentDaemon.Format(interval)} ({source})";
    }

    private static string Days(TimeSpan left) => left < TimeSpan.Zero ? "EXPIRED" : $"{left.TotalDays:0.#} days left";

    private static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
