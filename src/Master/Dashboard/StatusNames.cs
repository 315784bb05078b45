using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Dashboard;

/// <summary>Node statuses as the dashboard and the CLI spell them, worst first for sorting.</summary>
public static class StatusNames
{
    private static readonly string[] s_worstFirst = ["failing", "drifted", "pending", "unresponsive", "revoked", "new", "converged"];

    public static IReadOnlyList<string> All => s_worstFirst;

    public static string Name(NodeStatus status) => status switch
    {
        NodeStatus.New => "new",
        NodeStatus.Converged => "converged",
        NodeStatus.Drifted => "drifted",
        NodeStatus.Failing => "failing",
        NodeStatus.Pending => "pending",
        NodeStatus.Unresponsive => "unresponsive",
        NodeStatus.Revoked => "revoked",
        _ => "unknown",
    };

    public static NodeStatus? Parse(string name) => name.ToLowerInvariant() switch
    {
        "new" => NodeStatus.New,
        "converged" => NodeStatus.Converged,
        "drifted" => NodeStatus.Drifted,
        "failing" => NodeStatus.Failing,
        "pending" => NodeStatus.Pending,
        "unresponsive" => NodeStatus.Unresponsive,
        "revoked" => NodeStatus.Revoked,
        _ => null,
    };

    /// <summary>0 is the worst: failing nodes first when sorting by status.</summary>
    public static int Severity(NodeStatus status)
    {
        var index = Array.IndexOf(s_worstFirst, Name(status));
        return index < 0 ? s_worstFirst.Length : index;
    }
}
