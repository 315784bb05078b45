using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Colabo.Config.Store.Sql;

/// <summary>Role repository status per environment: one row per environment, errors as JSON.</summary>
public abstract partial class SqlConfigStore
{
    internal static readonly IReadOnlyList<string> RepoStatusSchema =
    [
        """
        CREATE TABLE IF NOT EXISTS repo_status (
          environment TEXT PRIMARY KEY, published_commit TEXT NOT NULL, published_at BIGINT NULL,
          head_commit TEXT NOT NULL, last_fetch_at BIGINT NULL, last_failed_commit TEXT NOT NULL,
          errors TEXT NOT NULL, updated_at BIGINT NOT NULL)
        """,
    ];

    public async Task SaveRepoStatusAsync(RepoStatusRecord status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        await using var lease = await WriteAsync(cancellationToken);
        await ExecuteAsync(lease.Connection, null, """
            INSERT INTO repo_status (environment, published_commit, published_at, head_commit, last_fetch_at, last_failed_commit, errors, updated_at)
            VALUES (@env, @published, @publishedat, @head, @fetch, @failed, @errors, @updated)
            ON CONFLICT (environment) DO UPDATE SET published_commit = excluded.published_commit,
              published_at = excluded.published_at, head_commit = excluded.head_commit,
              last_fetch_at = excluded.last_fetch_at, last_failed_commit = excluded.last_failed_commit,
              errors = excluded.errors, updated_at = excluded.updated_at
            """, cancellationToken,
            ("env", status.Environment), ("published", status.PublishedCommit), ("publishedat", status.PublishedAt?.ToUnixTimeMilliseconds()),
            ("head", status.HeadCommit), ("fetch", status.LastFetchAt?.ToUnixTimeMilliseconds()), ("failed", status.LastFailedCommit),
            ("errors", JsonSerializer.Serialize(status.Errors, RepoStatusJson.Default.IReadOnlyListRepoCompileError)),
            ("updated", status.UpdatedAt.ToUnixTimeMilliseconds()));
    }

    public Task<IReadOnlyList<RepoStatusRecord>> ListRepoStatusesAsync(CancellationToken cancellationToken) =>
        QueryAsync("""
            SELECT environment, published_commit, published_at, head_commit, last_fetch_at, last_failed_commit, errors, updated_at
            FROM repo_status ORDER BY environment
            """, ReadRepoStatus, cancellationToken);

    private static RepoStatusRecord ReadRepoStatus(DbDataReader r) => new()
    {
        Environment = r.GetString(0),
        PublishedCommit = r.GetString(1),
        PublishedAt = TimeOrNull(r, 2),
        HeadCommit = r.GetString(3),
        LastFetchAt = TimeOrNull(r, 4),
        LastFailedCommit = r.GetString(5),
        Errors = JsonSerializer.Deserialize(r.GetString(6), RepoStatusJson.Default.IReadOnlyListRepoCompileError) ?? [],
        UpdatedAt = Time(r, 7),
    };
}

[JsonSerializable(typeof(IReadOnlyList<RepoCompileError>))]
internal sealed partial class RepoStatusJson : JsonSerializerContext;
