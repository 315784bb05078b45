using System.Globalization;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Running;
using Google.Protobuf;

namespace Colabo.Config.Agent.Apply;

/// <summary>Renders a run for people (text) or programs (proto3 JSON).</summary>
public static class ReportWriter
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatEnumsAsIntegers(false));

    /// <summary>One line per outcome that is not in sync (all with <paramref name="verbose"/>), its property changes, then the summary.</summary>
    public static string Outcome(ResourceOutcome outcome, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status == OutcomeStatus.InSync && !verbose && !outcome.Refreshed)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        var ms = outcome.Duration?.ToTimeSpan().TotalMilliseconds ?? 0;
        text.Append(CultureInfo.InvariantCulture, $"{StatusWord(outcome.Status),-13}{outcome.ResourceId}");
        if (outcome.Audit)
        {
            text.Append(" [audit]");
        }

        text.Append(CultureInfo.InvariantCulture, $" ({ms:0} ms)");
        if (outcome.Message.Length > 0)
        {
            text.Append(": ").Append(outcome.Message);
        }

        text.Append('\n');
        foreach (var change in outcome.Changes)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {change.Property}: {(change.HasBefore ? change.Before : "(absent)")} -> {(change.HasAfter ? change.After : "(absent)")}\n");
        }

        return text.ToString();
    }

    public static string Summary(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var seconds = (summary.FinishedAt.ToDateTimeOffset() - summary.StartedAt.ToDateTimeOffset()).TotalSeconds;
        var mode = summary.Mode == RunMode.Noop ? "noop" : "enforce";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{mode} run {summary.RunId}: {summary.Total} resources, {summary.InSync} in sync, {summary.Changed} changed, {summary.WouldChange} would change, {summary.Failed} failed, {summary.Skipped} skipped in {seconds:0.000} s");
    }

    /// <summary>{"summary": RunSummary, "outcomes": [ResourceOutcome...]} in proto3 JSON.</summary>
    public static void WriteJson(RunReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        output.Write("{\"summary\":");
        Json.Format(report.Summary, output);
        output.Write(",\"outcomes\":[");
        for (var i = 0; i < report.Outcomes.Count; i++)
        {
            if (i > 0)
            {
                output.Write(',');
            }

            output.Write('\n');
            Json.Format(report.Outcomes[i], output);
        }

        output.Write("\n]}\n");
    }

    private static string StatusWord(OutcomeStatus status) => status switch
    {
        OutcomeStatus.InSync => "in_sync",
        OutcomeStatus.Changed => "changed",
        OutcomeStatus.WouldChange => "would_change",
        OutcomeStatus.Failed => "failed",
        OutcomeStatus.Skipped => "skipped",
        _ => "unknown",
    };
}
