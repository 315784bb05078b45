using System.Data.Common;
using Colabo.Config.Store.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Colabo.Config.Store.Postgres;

/// <summary>
/// Set-based report batches: each table gets one statement for the whole batch, its rows sent as
/// arrays and expanded with unnest, so a batch of hundreds of runs costs two round trips and one
/// WAL flush at commit instead of several round trips and a flush per run.
/// </summary>
public sealed partial class PostgresConfigStore
{
    // While one batch waits for its WAL flush, the next one is already being sent (measured: about
    // twice the rate of one writer on 2 cores; four writers were no better than two).
    protected override int RunWriters => 2;

    /// <summary>
    /// The usual batch (every run of a different node, as one master's actors produce) is one
    /// statement in autocommit: one round trip and one WAL flush. A batch holding two runs of one node
    /// goes through the transaction of <see cref="WriteRunsAsync"/>, which decides between them.
    /// </summary>
    protected override async Task<bool[]> CommitRunsAsync(IReadOnlyList<RunWrite> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var first = new Dictionary<(string Node, string RunId), int>();
        for (var i = 0; i < runs.Count; i++)
        {
            first.TryAdd((runs[i].Run.Node, runs[i].Run.RunId), i);
        }
        var candidates = first.Values.Order().Select(i => runs[i]).ToList();
        if (candidates.Select(w => w.Run.Node).Distinct(StringComparer.Ordinal).Count() != candidates.Count)
        {
            return await base.CommitRunsAsync(runs);
        }

        var inserted = new HashSet<(string, string)>();
        await using (var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None))
        await using (var command = new NpgsqlCommand(OneStatementSql, connection))
        {
            var batchRuns = candidates.Select(w => w.Run).ToList();
            AddRunArrays(command.Parameters, batchRuns);
            AddChangeArrays(command.Parameters, candidates, "c_");
            // Nodes in key order, so that two replicas writing the same rows lock them in the same order.
            var states = candidates.Where(w => w.StatesJson is not null).OrderBy(w => w.Run.Node, StringComparer.Ordinal).ToList();
            command.Parameters.Add(Array("s_owner", states.Select(w => w.Run.RunId)));
            command.Parameters.Add(Array("s_node", states.Select(w => w.Run.Node)));
            command.Parameters.Add(Array("s_states", states.Select(w => w.StatesJson!)));
            command.Parameters.Add(Array("s_at", states.Select(w => w.Run.FinishedAt.ToUnixTimeMilliseconds())));
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var saved = new bool[runs.Count];
        for (var i = 0; i < runs.Count; i++)
        {
            var key = (runs[i].Run.Node, runs[i].Run.RunId);
            saved[i] = first[key] == i && inserted.Contains(key);
        }
        return saved;
    }

    // Data-modifying CTEs share one snapshot and commit together; changes, states and the node summary
    // are written only for runs the first insert accepted (RETURNING), so a resent run stores nothing.
    private const string OneStatementSql = $"""
        WITH ins AS (
          INSERT INTO runs (node, run_id, mode, catalog_hash, commit_id, started_at, finished_at, received_at, total,
            in_sync, changed, would_change, failed, skipped, corrective, intentional, state, error)
          SELECT * FROM unnest(@node, @run, @mode, @catalog, @commit, @started, @finished, @received, @total,
            @insync, @changed, @would, @failed, @skipped, @corrective, @intentional, @state, @error)
          ON CONFLICT (node, run_id) DO NOTHING
          RETURNING node, run_id, finished_at, state, catalog_hash
        ), ch AS (
          INSERT INTO run_changes (node, run_id, first_at, last_at, catalog_hash, entry_count, entries)
          SELECT c.node, c.run_id, c.first_at, c.last_at, c.catalog_hash, c.entry_count, c.entries
          FROM unnest(@c_node, @c_run, @c_first, @c_last, @c_catalog, @c_count, @c_entries)
            AS c(node, run_id, first_at, last_at, catalog_hash, entry_count, entries)
          WHERE EXISTS (SELECT 1 FROM ins WHERE ins.node = c.node AND ins.run_id = c.run_id)
          ON CONFLICT (node, run_id) DO NOTHING
        ), st AS (
          INSERT INTO node_states (node, states, at)
          SELECT s.node, s.states, s.at FROM unnest(@s_owner, @s_node, @s_states, @s_at) AS s(owner, node, states, at)
          WHERE EXISTS (SELECT 1 FROM ins WHERE ins.node = s.node AND ins.run_id = s.owner)
          {StatesUnlessNewer}
        ), nd AS (
          UPDATE nodes SET last_report_at = ins.finished_at, last_run_id = ins.run_id, last_run_state = ins.state,
            applied_hash = ins.catalog_hash
          FROM ins WHERE nodes.name = ins.node AND (nodes.last_report_at IS NULL OR nodes.last_report_at <= ins.finished_at)
        )
        SELECT node, run_id FROM ins
        """;

    protected override async Task<bool[]> WriteRunsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<RunWrite> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var npgsql = (NpgsqlConnection)connection;
        var tx = (NpgsqlTransaction)transaction;

        // A run id repeated inside the batch: the first occurrence decides, the others are duplicates.
        var first = new Dictionary<(string Node, string RunId), int>();
        for (var i = 0; i < runs.Count; i++)
        {
            first.TryAdd((runs[i].Run.Node, runs[i].Run.RunId), i);
        }
        var candidates = first.Values.Order().Select(i => runs[i].Run).ToList();

        var inserted = new HashSet<(string, string)>();
        await using (var insertRuns = new NpgsqlCommand(InsertRunsSql, npgsql, tx))
        {
            AddRunArrays(insertRuns.Parameters, candidates);
            await using var reader = await insertRuns.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var saved = new bool[runs.Count];
        var written = new List<RunWrite>();
        for (var i = 0; i < runs.Count; i++)
        {
            var key = (runs[i].Run.Node, runs[i].Run.RunId);
            saved[i] = first[key] == i && inserted.Contains(key);
            if (saved[i])
            {
                written.Add(runs[i]);
            }
        }
        if (written.Count == 0)
        {
            return saved;
        }

        await using var batch = new NpgsqlBatch(npgsql, tx);
        if (written.Any(w => w.Changes.Count > 0))
        {
            var insertChanges = new NpgsqlBatchCommand(InsertChangesSql);
            AddChangeArrays(insertChanges.Parameters, written);
            batch.BatchCommands.Add(insertChanges);
        }
        // One states object per node, the one of the batch's latest run of the node (as the statement's
        // guard would decide between them), nodes in key order so that two replicas writing the same
        // rows lock them in the same order.
        var states = written.Where(w => w.StatesJson is not null)
            .GroupBy(w => w.Run.Node, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.MaxBy(w => w.Run.FinishedAt)!).ToList();
        if (states.Count > 0)
        {
            var upsertStates = new NpgsqlBatchCommand(UpsertStatesSql);
            upsertStates.Parameters.Add(Array("node", states.Select(w => w.Run.Node)));
            upsertStates.Parameters.Add(Array("states", states.Select(w => w.StatesJson!)));
            upsertStates.Parameters.Add(Array("at", states.Select(w => w.Run.FinishedAt.ToUnixTimeMilliseconds())));
            batch.BatchCommands.Add(upsertStates);
        }
        var summaries = written.Select(w => w.Run)
            .GroupBy(r => r.Node).Select(g => g.MaxBy(r => r.FinishedAt)!)
            .OrderBy(r => r.Node, StringComparer.Ordinal).ToList();
        var updateNodes = new NpgsqlBatchCommand(UpdateNodesSql);
        updateNodes.Parameters.Add(Array("node", summaries.Select(r => r.Node)));
        updateNodes.Parameters.Add(Array("at", summaries.Select(r => r.FinishedAt.ToUnixTimeMilliseconds())));
        updateNodes.Parameters.Add(Array("run", summaries.Select(r => r.RunId)));
        updateNodes.Parameters.Add(Array("state", summaries.Select(r => r.State)));
        updateNodes.Parameters.Add(Array("catalog", summaries.Select(r => r.CatalogHash)));
        batch.BatchCommands.Add(updateNodes);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return saved;
    }

    private const string InsertRunsSql = """
        INSERT INTO runs (node, run_id, mode, catalog_hash, commit_id, started_at, finished_at, received_at, total,
          in_sync, changed, would_change, failed, skipped, corrective, intentional, state, error)
        SELECT * FROM unnest(@node, @run, @mode, @catalog, @commit, @started, @finished, @received, @total,
          @insync, @changed, @would, @failed, @skipped, @corrective, @intentional, @state, @error)
        ON CONFLICT (node, run_id) DO NOTHING
        RETURNING node, run_id
        """;

    private const string InsertChangesSql = """
        INSERT INTO run_changes (node, run_id, first_at, last_at, catalog_hash, entry_count, entries)
        SELECT * FROM unnest(@node, @run, @first, @last, @catalog, @count, @entries)
        ON CONFLICT (node, run_id) DO NOTHING
        """;

    private const string UpsertStatesSql = $"""
        INSERT INTO node_states (node, states, at)
        SELECT * FROM unnest(@node, @states, @at)
        {StatesUnlessNewer}
        """;

    private const string UpdateNodesSql = """
        UPDATE nodes SET last_report_at = u.at, last_run_id = u.run, last_run_state = u.state, applied_hash = u.catalog
        FROM unnest(@node, @at, @run, @state, @catalog) AS u(node, at, run, state, catalog)
        WHERE nodes.name = u.node AND (nodes.last_report_at IS NULL OR nodes.last_report_at <= u.at)
        """;

    private static void AddRunArrays(NpgsqlParameterCollection p, List<RunRecord> runs)
    {
        p.Add(Array("node", runs.Select(r => r.Node)));
        p.Add(Array("run", runs.Select(r => r.RunId)));
        p.Add(Array("mode", runs.Select(r => r.Mode)));
        p.Add(Array("catalog", runs.Select(r => r.CatalogHash)));
        p.Add(Array("commit", runs.Select(r => r.Commit)));
        p.Add(Array("started", runs.Select(r => r.StartedAt.ToUnixTimeMilliseconds())));
        p.Add(Array("finished", runs.Select(r => r.FinishedAt.ToUnixTimeMilliseconds())));
        p.Add(Array("received", runs.Select(r => r.ReceivedAt.ToUnixTimeMilliseconds())));
        p.Add(Array("total", runs.Select(r => (long)r.Total)));
        p.Add(Array("insync", runs.Select(r => (long)r.InSync)));
        p.Add(Array("changed", runs.Select(r => (long)r.Changed)));
        p.Add(Array("would", runs.Select(r => (long)r.WouldChange)));
        p.Add(Array("failed", runs.Select(r => (long)r.Failed)));
        p.Add(Array("skipped", runs.Select(r => (long)r.Skipped)));
        p.Add(Array("corrective", runs.Select(r => (long)r.Corrective)));
        p.Add(Array("intentional", runs.Select(r => (long)r.Intentional)));
        p.Add(Array("state", runs.Select(r => r.State)));
        p.Add(Array("error", runs.Select(r => r.Error)));
    }

    /// <summary>One change-log row per run with changes: its entries in one array (see <see cref="ChangeLogJson"/>).</summary>
    private static void AddChangeArrays(NpgsqlParameterCollection p, IEnumerable<RunWrite> runs, string prefix = "")
    {
        var rows = runs.Where(w => w.ChangeLog is not null).Select(w => (w.Run, Entries: w.ChangeLog!.Value)).ToList();
        p.Add(Array(prefix + "node", rows.Select(r => r.Run.Node)));
        p.Add(Array(prefix + "run", rows.Select(r => r.Run.RunId)));
        p.Add(Array(prefix + "first", rows.Select(r => r.Entries.FirstAt)));
        p.Add(Array(prefix + "last", rows.Select(r => r.Entries.LastAt)));
        p.Add(Array(prefix + "catalog", rows.Select(r => r.Entries.CatalogHash)));
        p.Add(Array(prefix + "count", rows.Select(r => (long)r.Entries.Count)));
        p.Add(Array(prefix + "entries", rows.Select(r => r.Entries.Json)));
    }

    private static NpgsqlParameter<string[]> Array(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. values] };

    private static NpgsqlParameter<long[]> Array(string name, IEnumerable<long> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. values] };
}
