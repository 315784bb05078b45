using System.Data.Common;

namespace Colabo.Config.Store.Sql;

// Portable SQL (SQLite and PostgreSQL): integer division on BIGINT milliseconds, CASE sums, ordinal GROUP BY.
public abstract partial class SqlConfigStore : IFleetAggregates
{
    private const string ClassSums = """
        SUM(CASE WHEN change_class = 'corrective' THEN 1 ELSE 0 END),
        SUM(CASE WHEN change_class = 'intentional' THEN 1 ELSE 0 END),
        SUM(CASE WHEN change_class = 'failed' THEN 1 ELSE 0 END),
        SUM(CASE WHEN change_class = 'pending' THEN 1 ELSE 0 END)
        """;

    public Task<IReadOnlyList<ChangeBucket>> CountChangesOverTimeAsync(DateTimeOffset since, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var width = (long)bucket.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1000L, nameof(bucket));
        return QueryAsync(
            $"""
            SELECT (at / @width) * @width, change_class, COUNT(*), COUNT(DISTINCT node)
            FROM {ChangeRows("c.last_at >= @since")} WHERE at >= @since GROUP BY 1, 2 ORDER BY 1, 2
            """,
            r => new ChangeBucket(Time(r, 0), r.GetString(1), Int(r, 2), Int(r, 3)),
            cancellationToken, ("width", width), ("since", Ms(since)));
    }

    public Task<IReadOnlyList<ResourceChangeCount>> CountChangesByResourceAsync(DateTimeOffset since, string? role, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"""
            SELECT resource_id, MIN(kind), role, {ClassSums},
              COUNT(DISTINCT CASE WHEN change_class = 'corrective' THEN node END), MAX(at)
            FROM {ChangeRows("c.last_at >= @since")} WHERE at >= @since {(string.IsNullOrEmpty(role) ? "" : "AND role = @role")}
            GROUP BY resource_id, role ORDER BY 4 DESC, 5 DESC, 1 LIMIT @limit
            """,
            r => new ResourceChangeCount(r.GetString(0), r.GetString(1), r.GetString(2), Int(r, 3), Int(r, 4), Int(r, 5), Int(r, 6), Int(r, 7), Time(r, 8)),
            cancellationToken, ("since", Ms(since)), ("role", role ?? ""), ("limit", (long)Math.Clamp(limit, 1, 10_000)));

    public Task<IReadOnlyList<RoleChangeCount>> CountChangesByRoleAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        QueryAsync(
            $"""
            SELECT role, {ClassSums}, COUNT(DISTINCT CASE WHEN change_class = 'corrective' THEN node END)
            FROM {ChangeRows("c.last_at >= @since")} WHERE at >= @since GROUP BY role ORDER BY 2 DESC, 3 DESC, 1
            """,
            r => new RoleChangeCount(r.GetString(0), Int(r, 1), Int(r, 2), Int(r, 3), Int(r, 4), Int(r, 5)),
            cancellationToken, ("since", Ms(since)));

    public Task<IReadOnlyList<NodeChangeCount>> CountChangesByNodeAsync(DateTimeOffset since, string resourceId, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"""
            SELECT node, {ClassSums}, MAX(at)
            FROM {ChangeRows("c.last_at >= @since")} WHERE at >= @since AND resource_id = @resource
            GROUP BY node ORDER BY 2 DESC, 3 DESC, 1 LIMIT @limit
            """,
            r => new NodeChangeCount(r.GetString(0), Int(r, 1), Int(r, 2), Int(r, 3), Int(r, 4), Time(r, 5)),
            cancellationToken, ("since", Ms(since)), ("resource", resourceId), ("limit", (long)Math.Clamp(limit, 1, 10_000)));

    private static int Int(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : (int)Long(r, i);
}
