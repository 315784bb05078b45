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
    /// already recorded, or appears earlier in the batch, stores nothing and yields false. Runs go in one
    /// at a time (each insert tells whether it was new); their change-log entries and resource states
    /// then go in many rows per statement, in run order, so a later run's state of a resource wins.
    /// </summary>
    protected virtual async Task<bool[]> WriteRunsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<RunWrite> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var saved = new bool[runs.Count];
        var changes = new List<ChangeRecord>();
        var states = new List<ResourceStateRecord>();
        await using (var insertRun = Prepared(connection, transaction, InsertRunSql))
        await using (var updateNode = Prepared(connection, transaction, UpdateNodeSql))
        {
            for (var i = 0; i < runs.Count; i++)
            {
                var (run, runChanges, runStates) = runs[i];
                Bind(insertRun, RunValues(run));
                if (await insertRun.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    continue;
                }
                saved[i] = true;
                changes.AddRange(runChanges);
                states.AddRange(runStates);
                Bind(updateNode, NodeSummaryValues(run));
                await updateNode.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await WriteRowsAsync(connection, transaction, InsertChangesHead, InsertChangesTail, changes, ChangeValues, cancellationToken);
        await WriteRowsAsync(connection, transaction, UpsertStatesHead, UpsertStatesTail, states, StateValues, cancellationToken);
        return saved;
    }

    /// <summary>Rows per multi-row INSERT: 32 states bind 384 values, well inside every provider's limit.</summary>
    private const int RowsPerStatement = 32;

    /// <summary>
    /// Inserts <paramref name="rows"/> with <see cref="RowsPerStatement"/> rows per statement (one command
    /// reused for every full statement, one more for the remainder): one statement per row cost a
    /// bind and a step each, the largest part of a report batch.
    /// </summary>
    private static async Task WriteRowsAsync<T>(DbConnection connection, DbTransaction transaction, string head, string tail,
        List<T> rows, Func<T, (string Name, object? Value)[]> values, CancellationToken cancellationToken)
    {
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, rows.Count - start);
                var first = values(rows[start]);
                DbCommand command;
                if (count == RowsPerStatement && full is not null)
                {
                    command = full;
                }
                else
                {
                    command = RowsCommand(connection, transaction, head, tail, first, count);
                    if (count == RowsPerStatement)
                    {
                        full = command;
                    }
                }
                try
                {
                    for (var row = 0; row < count; row++)
                    {
                        var rowValues = row == 0 ? first : values(rows[start + row]);
                        for (var column = 0; column < rowValues.Length; column++)
                        {
                            command.Parameters[(row * rowValues.Length) + column].Value = rowValues[column].Value ?? DBNull.Value;
                        }
                    }
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                finally
                {
                    if (command != full)
                    {
                        await command.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    /// <summary>"HEAD VALUES (@r0_a, @r0_b), (@r1_a, @r1_b) TAIL", its parameters typed after <paramref name="sample"/>.</summary>
    private static DbCommand RowsCommand(DbConnection connection, DbTransaction transaction, string head, string tail, (string Name, object? Value)[] sample, int count)
    {
        var sql = new System.Text.StringBuilder(head).Append(" VALUES ");
        var command = Prepared(connection, transaction, "");
        for (var row = 0; row < count; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < sample.Length; column++)
            {
                var name = $"r{row}_{sample[column].Name}";
                sql.Append(column == 0 ? "@" : ", @").Append(name);
                command.Parameters.Add(Parameter(command, name, sample[column].Value));
            }
            sql.Append(')');
        }
#pragma warning disable CA2100 // built from constant fragments; values always travel as parameters
        command.CommandText = sql.Append(' ').Append(tail).ToString();
#pragma warning restore CA2100
        return command;
    }

    private const string InsertRunSql = """
        INSERT INTO runs (node, run_id, mode, catalog_hash, commit_id, started_at, finished_at, received_at, total,
          in_sync, changed, would_change, failed, skipped, corrective, intentional, state, error)
        VALUES (@node, @run, @mode, @catalog, @commit, @started, @finished, @received, @total,
          @insync, @changed, @would, @failed, @skipped, @corrective, @intentional, @state, @error)
        ON CONFLICT (node, run_id) DO NOTHING
        """;

    // Column order of the multi-row statements is the order of ChangeValues and StateValues.
    private const string InsertChangesHead = "INSERT INTO changes (node, run_id, resource_id, kind, role, status, change_class, changes, message, at, catalog_hash)";

    private const string InsertChangesTail = "ON CONFLICT (node, run_id, resource_id) DO NOTHING";

    private const string UpsertStatesHead = """
        INSERT INTO resource_states (node, resource_id, kind, role, status, message, run_id, updated_at,
          last_changed_at, last_change_class, desired_digest, catalog_hash)
        """;

    private const string UpsertStatesTail = """
        ON CONFLICT (node, resource_id) DO UPDATE SET kind = excluded.kind, role = excluded.role,
          status = excluded.status, message = excluded.message, run_id = excluded.run_id,
          updated_at = excluded.updated_at, last_changed_at = excluded.last_changed_at,
          last_change_class = excluded.last_change_class, desired_digest = excluded.desired_digest,
          catalog_hash = excluded.catalog_hash
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

    private static (string, object?)[] ChangeValues(ChangeRecord change) =>
    [
        ("node", change.Node), ("run", change.RunId), ("resource", change.ResourceId), ("kind", change.Kind),
        ("role", change.Role), ("status", change.Status), ("class", change.Class), ("changes", change.ChangesJson),
        ("message", change.Message), ("at", Ms(change.At)), ("catalog", change.CatalogHash),
    ];

    private static (string, object?)[] StateValues(ResourceStateRecord state) =>
    [
        ("node", state.Node), ("resource", state.ResourceId), ("kind", state.Kind), ("role", state.Role),
        ("status", state.Status), ("message", state.Message), ("run", state.RunId), ("updated", Ms(state.UpdatedAt)),
        ("changedat", Ms(state.LastChangedAt)), ("class", state.LastChangeClass), ("digest", state.DesiredDigest),
        ("catalog", state.CatalogHash),
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
