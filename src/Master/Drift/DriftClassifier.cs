using Colabo.Config.Contracts.V1;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Drift;

/// <summary>
/// Classifies one outcome. A change to a resource whose desired state is the same as at its last
/// good (in sync or changed, enforced) outcome is corrective: the host drifted and was changed back.
/// A change after the desired state changed, or to a resource seen for the first time, is intentional.
/// </summary>
public static class DriftClassifier
{
    /// <param name="desiredDigest">Digest of the resource in the run's catalog; null when the master no longer has that catalog.</param>
    public static string Classify(OutcomeStatus status, string? desiredDigest, string catalogHash, ResourceStateRecord? previous) => status switch
    {
        OutcomeStatus.InSync or OutcomeStatus.Unspecified => "",
        OutcomeStatus.WouldChange => ChangeClasses.Pending,
        OutcomeStatus.Failed or OutcomeStatus.Skipped => ChangeClasses.Failed,
        _ when previous is null || (previous.DesiredDigest.Length == 0 && previous.CatalogHash.Length == 0) => ChangeClasses.Intentional,
        _ when desiredDigest is not null && previous.DesiredDigest.Length > 0 =>
            desiredDigest == previous.DesiredDigest ? ChangeClasses.Corrective : ChangeClasses.Intentional,
        _ => previous.CatalogHash == catalogHash ? ChangeClasses.Corrective : ChangeClasses.Intentional,
    };
}
