using System.Data.Common;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// Report ingestion: runs from many nodes are group-committed, a batch per transaction (see
/// <see cref="RunCommitQueue"/>). The portable batch writer below reuses one prepared command per
/// statement for every row of the batch; a provider may replace it with set-based SQL.
/// </summary>
public abstract partial class SqlConfigStore
{
    private readonly object _runQueueGate = new();
    private RunCommitQueue? _runQueue;
    private bool _runQueueClosed;

    public async Task<bool> SaveRunAsync(RunRecord run, IReadOnlyList<ChangeRecord> changes, IReadOnlyList<ResourceStateRecord> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(states);
        return await RunQueue.SaveAsync(new RunWrite(run, changes, states), cancellationToken);
    }

    private RunCommitQueue RunQueue
    {
        get
        {
            lock (_runQueueGate)
            {
                ObjectDisposedException.ThrowIf(_runQueueClosed, this);
                return _runQueue ??= new RunCommitQueue(CommitRunsAsync, writers: RunWriters);
            }
        }
    }

    /// <summary>Waits for every queued run to be committed; later runs are refused.</summary>
    private async ValueTask CloseRunQueueAsync()
    {
        RunCommitQueue? queue;
        lock (_runQueueGate)
        {
            queue = _runQueue;
            _runQueueClosed = true;
        }
        if (queue is not null)
        {
            await queue.DisposeAsync();
        }
    }

    /// <summary>Records a batch atomically and durably; per run, false when its run id was already recorded.</summary>
    protected virtual async Task<bool[]> CommitRunsAsync(IReadOnlyList<RunWrite> runs)
    {
        // Not cancellable: a batch carries many callers' runs, one caller leaving must not abort it.
        var cancellationToken = CancellationToken.None;
        await using var lease = await WriteAsync(cancellationToken);
        await PrepareRunConnectionAsync(lease.Connection, cancellationToken);
        await using var tx = await lease.Connection.BeginTransactionAsync(cancellationToken);
        var saved = await WriteRunsAsync(lease.Connection, tx, runs, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return saved;
    }

    /// <summary>
    /// How many report batches may commit at once. Batches from one master never share a node (a
    /// node's actor sends one run at a time), so concurrent batches do not contend for rows.
    /// </summary>
    protected virtual int RunWriters => 1;

    /// <summary>Sets the connection up for a report batch (SQLite: a commit that survives power loss).</summary>
    protected virtual Task PrepareRunConnectionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Records a batch of runs inside <paramref name="transaction"/>. A run whose (node, run id) is
    /// already recorded, or appears earlier in the batch, stores nothing and yields false.
    /// </summary>
    protected virtual async Task<bool[]> WriteRunsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<RunWrite> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var saved = new bool[runs.Count];
        await using var insertRun = Prepared(connection, transaction, InsertRunSql);
        await using var insertChanges = Prepared(connection, transaction, InsertChangesSql);
        await using var upsertStates = Prepared(connection, transaction, UpsertStatesSql);
        await using var updateNode = Prepared(connection, transaction, UpdateNodeSql);
        for (var i = 0; i < runs.Count; i++)
        {
            var write = runs[i];
            var run = write.Run;
            Bind(insertRun, RunValues(run));
            if (await insertRun.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                continue;
            }
            saved[i] = true;
            if (write.ChangeLog is { } entries)
            {
                Bind(insertChanges, ChangeValues(run, entries));
                await insertChanges.ExecuteNonQueryAsync(cancellationToken);
            }
            if (write.StatesJson is { } states)
            {
                Bind(upsertStates, [("node", run.Node), ("states", states), ("at", Ms(run.FinishedAt))]);
                await upsertStates.ExecuteNonQueryAsync(cancellationToken);
            }
            Bind(updateNode, NodeSummaryValues(run));
            await updateNode.ExecuteNonQueryAsync(cancellationToken);
        }
        return saved;
    }

    private const string InsertRunSql = """
        INSERT INTO runs (node, run_id, mode, catalog_hash, commit_id, started_at, finished_at, received_at, total,
          in_sync, changed, would_change, failed, skipped, corrective, intentional, state, error)
        VALUES (@node, @run, @mode, @catalog, @commit, @started, @finished, @received, @total,
          @insync, @changed, @would, @failed, @skipped, @corrective, @intentional, @state, @error)
        ON CONFLICT (node, run_id) DO NOTHING
        """;

    private const string InsertChangesSql = """
        INSERT INTO run_changes (node, run_id, first_at, last_at, catalog_hash, entry_count, entries)
        VALUES (@node, @run, @first, @last, @catalog, @count, @entries)
        ON CONFLICT (node, run_id) DO NOTHING
        """;

    /// <summary>
    /// Ends every write of a node's states: the node's states after the run replace the stored ones, unless a
    /// run that finished later wrote them (committed first, through another replica say).
    /// </summary>
    protected const string StatesUnlessNewer = "ON CONFLICT (node) DO UPDATE SET states = excluded.states, at = excluded.at WHERE node_states.at <= excluded.at";

    private const string UpsertStatesSql = $"""
        INSERT INTO node_states (node, states, at) VALUES (@node, @states, @at)
        {StatesUnlessNewer}
        """;

    private const string UpdateNodeSql = """
        UPDATE nodes SET last_report_at = @at, last_run_id = @run, last_run_state = @state, applied_hash = @catalog
        WHERE name = @node AND (last_report_at IS NULL OR last_report_at <= @at)
        """;

    private static (string, object?)[] RunValues(RunRecord run) =>
    [
        ("node", run.Node), ("run", run.RunId), ("mode", run.Mode), ("catalog", run.CatalogHash), ("commit", run.Commit),
        ("started", Ms(run.StartedAt)), ("finished", Ms(run.FinishedAt)), ("received", Ms(run.ReceivedAt)),
        ("total", (long)run.Total), ("insync", (long)run.InSync), ("changed", (long)run.Changed),
        ("would", (long)run.WouldChange), ("failed", (long)run.Failed), ("skipped", (long)run.Skipped),
        ("corrective", (long)run.Corrective), ("intentional", (long)run.Intentional), ("state", run.State), ("error", run.Error),
    ];

    private static (string, object?)[] ChangeValues(RunRecord run, ChangeLogJson.Entries entries) =>
    [
        ("node", run.Node), ("run", run.RunId), ("first", entries.FirstAt), ("last", entries.LastAt),
        ("catalog", entries.CatalogHash), ("count", (long)entries.Count), ("entries", entries.Json),
    ];

    private static (string, object?)[] NodeSummaryValues(RunRecord run) =>
    [
        ("at", Ms(run.FinishedAt)), ("run", run.RunId), ("state", run.State), ("catalog", run.CatalogHash), ("node", run.Node),
    ];

    private static DbCommand Prepared(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // SQL text is constant; values always travel as parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Binds values to a reused command: parameters are created on first use, then only their values change.</summary>
    private static void Bind(DbCommand command, (string Name, object? Value)[] values)
    {
        if (command.Parameters.Count == 0)
        {
            foreach (var (name, value) in values)
            {
                command.Parameters.Add(Parameter(command, name, value));
            }
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i].Value ?? DBNull.Value;
        }
    }
}
