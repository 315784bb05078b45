using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Drift;

/// <summary>The change classes as the store spells them.</summary>
public static class ChangeClasses
{
    public const string Intentional = "intentional";
    public const string Corrective = "corrective";
    public const string Pending = "pending";
    public const string Failed = "failed";

    public static ChangeClass ToProto(string value) => value switch
    {
        Intentional => ChangeClass.Intentional,
        Corrective => ChangeClass.Corrective,
        Pending => ChangeClass.Pending,
        Failed => ChangeClass.Failed,
        _ => ChangeClass.Unspecified,
    };

    public static string StatusName(OutcomeStatus status) => status switch
    {
        OutcomeStatus.InSync => "in_sync",
        OutcomeStatus.Changed => "changed",
        OutcomeStatus.WouldChange => "would_change",
        OutcomeStatus.Failed => "failed",
        OutcomeStatus.Skipped => "skipped",
        _ => "unspecified",
    };

    public static OutcomeStatus ParseStatus(string value) => value switch
    {
        "in_sync" => OutcomeStatus.InSync,
        "changed" => OutcomeStatus.Changed,
        "would_change" => OutcomeStatus.WouldChange,
        "failed" => OutcomeStatus.Failed,
        "skipped" => OutcomeStatus.Skipped,
        _ => OutcomeStatus.Unspecified,
    };
}
