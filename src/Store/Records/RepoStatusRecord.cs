namespace Colabo.Config.Store;

/// <summary>
/// What one environment (a branch of the role repo) has published and why its last commit was refused,
/// kept in the store so that every replica answers `colabo status` the same.
/// </summary>
public sealed record RepoStatusRecord
{
    public required string Environment { get; init; }
    public string PublishedCommit { get; init; } = "";
    public DateTimeOffset? PublishedAt { get; init; }
    public string HeadCommit { get; init; } = "";
    public DateTimeOffset? LastFetchAt { get; init; }
    /// <summary>The last commit that did not compile (empty once a later commit was published).</summary>
    public string LastFailedCommit { get; init; } = "";
    public IReadOnlyList<RepoCompileError> Errors { get; init; } = [];
    public DateTimeOffset UpdatedAt { get; init; }

    public bool Equals(RepoStatusRecord? other) =>
        other is not null && Environment == other.Environment && PublishedCommit == other.PublishedCommit && PublishedAt == other.PublishedAt &&
        HeadCommit == other.HeadCommit && LastFetchAt == other.LastFetchAt && LastFailedCommit == other.LastFailedCommit &&
        UpdatedAt == other.UpdatedAt && Errors.SequenceEqual(other.Errors);

    public override int GetHashCode() => HashCode.Combine(Environment, PublishedCommit, HeadCommit, LastFailedCommit, Errors.Count);
}

/// <summary>One compile error of a refused commit: where (file:line:column), what, and for which node ("" for all).</summary>
public sealed record RepoCompileError(string Node, string File, int Line, int Column, string Code, string Message);
