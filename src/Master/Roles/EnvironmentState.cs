using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Master.Roles;

/// <summary>What one environment (a branch of the role repo) has published, and its last failure.</summary>
internal sealed class EnvironmentState(string name)
{
    public string Name { get; } = name;
    public RepositorySnapshot? Published { get; set; }
    /// <summary>A commit another replica published that this one has not loaded yet.</summary>
    public string PendingCommit { get; set; } = "";
    public DateTimeOffset? PublishedAt { get; set; }
    public string HeadCommit { get; set; } = "";
    public DateTimeOffset? LastFetchAt { get; set; }
    public string LastFailedCommit { get; set; } = "";
    public IReadOnlyList<(string Node, CompileError Error)> LastErrors { get; set; } = [];
}
