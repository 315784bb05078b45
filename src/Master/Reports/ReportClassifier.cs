using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Drift;
using Colabo.Config.Store;
using Google.Protobuf;

namespace Colabo.Config.Master.Reports;

/// <summary>What a run becomes in the store: its record, change-log entries and new resource states.</summary>
public sealed record ClassifiedRun(RunRecord Run, IReadOnlyList<ChangeRecord> Changes, IReadOnlyList<ResourceStateRecord> States);

/// <summary>
/// Turns a reported run into store records: classifies every change (intentional, corrective,
/// pending, failed), redacts secret values again (never trusting the agent alone), and computes each
/// resource's new last-known state.
/// </summary>
public static class ReportClassifier
{
    public const string Redacted = "<redacted>";

    public static ClassifiedRun Classify(
        string node, RunReport report, Catalog? catalog, IReadOnlyDictionary<string, ResourceStateRecord> previous, DateTimeOffset receivedAt) =>
        Classify(node, report, catalog is null ? null : CatalogDigests.Of(catalog), previous, receivedAt);

    /// <param name="resources">What the run's catalog says of its resources; null when the master no longer has it.</param>
    public static ClassifiedRun Classify(
        string node, RunReport report, CatalogDigests? resources, IReadOnlyDictionary<string, ResourceStateRecord> previous, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(previous);
        var start = report.Start;
        var summary = report.Summary;
        var catalogHash = report.CatalogHash;
        var enforce = start.Mode != RunMode.Noop;
        var changes = new List<ChangeRecord>();
        var states = new List<ResourceStateRecord>();
        int corrective = 0, intentional = 0;
        var counts = new int[6];
        foreach (var outcome in report.Outcomes)
        {
            if (string.IsNullOrEmpty(outcome.ResourceId))
            {
                continue;
            }
            previous.TryGetValue(outcome.ResourceId, out var before);
            var index = -1;
            var known = resources is not null && resources.TryFind(outcome.ResourceId, out index);
            var digest = known ? DigestOf(resources!, index, before) : null;
            var changeClass = DriftClassifier.Classify(outcome.Status, digest, catalogHash, before);
            if (changeClass == ChangeClasses.Corrective && outcome.Refreshed && outcome.Changes.Count == 0
                && NotifiedByIntentionalChange(outcome.ResourceId, report, resources, previous, catalogHash))
            {
                // A pure refresh (a service restarted because its config changed) follows its cause: a
                // deploy that restarts nginx is not drift of nginx.
                changeClass = ChangeClasses.Intentional;
            }
            corrective += changeClass == ChangeClasses.Corrective ? 1 : 0;
            intentional += changeClass == ChangeClasses.Intentional ? 1 : 0;
            if ((int)outcome.Status is >= 0 and < 6)
            {
                counts[(int)outcome.Status]++;
            }
            var at = outcome.FinishedAt?.ToDateTimeOffset() ?? summary.FinishedAt?.ToDateTimeOffset() ?? receivedAt;
            var status = ChangeClasses.StatusName(outcome.Status);
            if (changeClass.Length > 0)
            {
                changes.Add(new ChangeRecord
                {
                    Node = node,
                    RunId = start.RunId,
                    ResourceId = outcome.ResourceId,
                    Kind = outcome.Kind,
                    Role = outcome.Role,
                    Status = status,
                    Class = changeClass,
                    ChangesJson = ChangesJson(outcome, known ? resources!.SecretProperties(index) : []),
                    Message = outcome.Message,
                    At = at,
                    CatalogHash = catalogHash,
                });
            }
            var good = enforce && !outcome.Audit && outcome.Status is OutcomeStatus.InSync or OutcomeStatus.Changed;
            var changed = outcome.Status == OutcomeStatus.Changed;
            states.Add(new ResourceStateRecord
            {
                Node = node,
                ResourceId = outcome.ResourceId,
                Kind = outcome.Kind,
                Role = outcome.Role,
                Status = status,
                Message = outcome.Message,
                RunId = start.RunId,
                UpdatedAt = at,
                LastChangedAt = changed ? at : before?.LastChangedAt,
                LastChangeClass = changed ? changeClass : before?.LastChangeClass ?? "",
                DesiredDigest = good ? digest ?? before?.DesiredDigest ?? "" : before?.DesiredDigest ?? "",
                CatalogHash = good ? catalogHash : before?.CatalogHash ?? "",
            });
        }
        var run = new RunRecord
        {
            Node = node,
            RunId = start.RunId,
            Mode = enforce ? "enforce" : "noop",
            CatalogHash = catalogHash,
            Commit = start.Commit.Length > 0 ? start.Commit : summary.Commit,
            StartedAt = start.StartedAt?.ToDateTimeOffset() ?? summary.StartedAt?.ToDateTimeOffset() ?? receivedAt,
            FinishedAt = summary.FinishedAt?.ToDateTimeOffset() ?? receivedAt,
            ReceivedAt = receivedAt,
            Total = report.Outcomes.Count,
            InSync = counts[(int)OutcomeStatus.InSync],
            Changed = counts[(int)OutcomeStatus.Changed],
            WouldChange = counts[(int)OutcomeStatus.WouldChange],
            Failed = counts[(int)OutcomeStatus.Failed],
            Skipped = counts[(int)OutcomeStatus.Skipped],
            Corrective = corrective,
            Intentional = intentional,
            Error = summary.Error,
        };
        return new ClassifiedRun(run with { State = RunStates.Of(run) }, changes, states);
    }

    /// <summary>
    /// Whether classifying this run needs its catalog. It does not when every outcome's resource was last
    /// good on this same catalog (its desired digest is then the one already known), no outcome lists
    /// property changes (whose secret properties only the catalog names) and none is a refresh (whose
    /// cause only the catalog's notify lists tell): the common case of a converged node or a repaired
    /// drift, which then costs no catalog read, parse or hashing, even when the catalog is no longer cached.
    /// </summary>
    public static bool NeedsCatalog(RunReport report, IReadOnlyDictionary<string, ResourceStateRecord> previous)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(previous);
        var catalogHash = report.CatalogHash;
        foreach (var outcome in report.Outcomes)
        {
            if (string.IsNullOrEmpty(outcome.ResourceId))
            {
                continue;
            }
            if (outcome.Changes.Count > 0 || outcome.Refreshed
                || !previous.TryGetValue(outcome.ResourceId, out var before)
                || before.CatalogHash != catalogHash || before.DesiredDigest.Length == 0)
            {
                return true;
            }
        }
        return false;
    }

    // The digest string of the previous state when it is the same (the common case: no new string per resource).
    private static string DigestOf(CatalogDigests resources, int index, ResourceStateRecord? before) =>
        before is not null && resources.HasDigest(index, before.DesiredDigest) ? before.DesiredDigest : resources.Digest(index);

    private static bool NotifiedByIntentionalChange(
        string target, RunReport report, CatalogDigests? resources, IReadOnlyDictionary<string, ResourceStateRecord> previous, string catalogHash) =>
        resources is not null && report.Outcomes.Any(notifier =>
        {
            if (notifier.Status != OutcomeStatus.Changed || notifier.Changes.Count == 0
                || !resources.TryFind(notifier.ResourceId, out var index) || !resources.Notify(index).Contains(target))
            {
                return false;
            }
            var before = previous.GetValueOrDefault(notifier.ResourceId);
            return DriftClassifier.Classify(notifier.Status, DigestOf(resources, index, before), catalogHash, before) == ChangeClasses.Intentional;
        });

    private static string ChangesJson(ResourceOutcome outcome, IReadOnlyList<string> secretProperties)
    {
        var parts = outcome.Changes.Select(change =>
        {
            var copy = change.Clone();
            if (copy.Secret || secretProperties.Contains(copy.Property))
            {
                copy.Secret = true;
                if (copy.HasBefore)
                {
                    copy.Before = Redacted;
                }
                if (copy.HasAfter)
                {
                    copy.After = Redacted;
                }
            }
            return JsonFormatter.Default.Format(copy);
        });
        return "[" + string.Join(",", parts) + "]";
    }

    public static IReadOnlyList<PropertyChange> ParseChanges(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => JsonParser.Default.Parse<PropertyChange>(e.GetRawText()))];
    }
}
