using Colabo.Config.Contracts.V1;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Drift;

/// <summary>A run's state and a node's status.</summary>
public static class RunStates
{
    public const string Converged = "converged";
    public const string Drifted = "drifted";
    public const string Failing = "failing";
    public const string Pending = "pending";

    public static string Of(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Failed > 0 || run.Error.Length > 0)
        {
            return Failing;
        }
        if (run.Corrective > 0)
        {
            return Drifted;
        }
        return run.WouldChange > 0 ? Pending : Converged;
    }

    /// <summary>
    /// A node's status now: revoked; unresponsive when no report came within two run intervals
    /// (counted from enrollment before the first report); new before the first report; else the
    /// state of its last run.
    /// </summary>
    public static NodeStatus StatusOf(NodeRecord node, DateTimeOffset now, TimeSpan runInterval, bool revoked)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (revoked)
        {
            return NodeStatus.Revoked;
        }
        var since = node.LastReportAt ?? node.EnrolledAt;
        if (now - since > 2 * runInterval)
        {
            return NodeStatus.Unresponsive;
        }
        return node.LastReportAt is null ? NodeStatus.New : node.LastRunState switch
        {
            Drifted => NodeStatus.Drifted,
            Failing => NodeStatus.Failing,
            Pending => NodeStatus.Pending,
            _ => NodeStatus.Converged,
        };
    }
}
