using System.Data.Common;
using Colabo.Config.Store.Sql;
using Npgsql;

namespace Colabo.Config.Store.Postgres;

/// <summary>
/// The shared store for several master replicas: PostgreSQL (or a compatible database), with
/// events fanned out across replicas through LISTEN/NOTIFY.
/// </summary>
public sealed partial class PostgresConfigStore : SqlConfigStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresEventBus _events;
    private readonly string? _schema;
    private int _disposed;

    public PostgresConfigStore(PostgresStoreOptions options)
        : base(serializeWrites: false)
    {
        ArgumentNullException.ThrowIfNull(options);
        _schema = options.Schema;
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (_schema is not null)
        {
            if (!IsIdentifier(_schema))
            {
                throw new ArgumentException($"Schema name '{_schema}' must be letters, digits and underscores.", nameof(options));
            }
            builder.SearchPath = _schema;
        }
        if (!builder.ShouldSerialize("Max Auto Prepare"))
        {
            // The same few statements run for every check-in and report: let Npgsql prepare them on each
            // pooled connection, so PostgreSQL plans them once instead of once per call. A connection string
            // that sets "Max Auto Prepare" (0 turns it off) keeps its own value.
            builder.MaxAutoPrepare = 64;
        }
        if (!builder.ShouldSerialize("No Reset On Close"))
        {
            // The store keeps no session state on pooled connections (the schema is a connection
            // parameter, transactions always end), so the reset sent with each reuse is wasted work.
            builder.NoResetOnClose = true;
        }
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var channel = options.Channel ?? (_schema is null ? "colabo_events" : "colabo_events_" + _schema);
        if (!IsIdentifier(channel))
        {
            throw new ArgumentException($"Channel name '{channel}' must be letters, digits and underscores.", nameof(options));
        }
        _events = new PostgresEventBus(_dataSource, channel);
    }

    public override IEventBus Events => _events;

    protected override string BlobType => "BYTEA";

    protected override string MergeJsonObjects(string existing, string patch) =>
        $"CAST(CAST({existing} AS jsonb) || CAST({patch} AS jsonb) AS TEXT)";

    protected override string ResourceStatesAggregate => """
        CAST(jsonb_object_agg(resource_id, jsonb_build_array(kind, role, status, message, run_id, updated_at, last_changed_at,
          last_change_class, desired_digest, catalog_hash)) AS TEXT)
        """;

    // Resolved through the connection's search path, like RelationExistsSql.
    protected override string ColumnTypeSql =>
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(@table) AND attname = @column AND NOT attisdropped";

    protected override async Task UpgradeColumnsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await base.UpgradeColumnsAsync(connection, cancellationToken);
        // Stores written before the master wrote a node's states whole kept them as jsonb, which PostgreSQL
        // parsed on every write, merged and printed on every read. Text from now on (one rewrite of the table).
        if (await ColumnTypeAsync(connection, "node_states", "states", cancellationToken) == "jsonb")
        {
            await ExecuteAsync(connection, null, "ALTER TABLE node_states ALTER COLUMN states TYPE TEXT USING CAST(states AS TEXT)", cancellationToken);
        }
    }

    protected override string ChangeEntriesJoin => "CROSS JOIN LATERAL json_array_elements(CAST(c.entries AS json)) AS e(value)";

    protected override string ChangesAggregate => """
        CAST(json_agg(json_build_array(resource_id, kind, role, status, change_class, changes, message, at, catalog_hash)) AS TEXT)
        """;

    // Resolved through the connection's search path, so in the store's schema when it has one.
    protected override string RelationExistsSql => "SELECT CASE WHEN to_regclass(@name) IS NULL THEN 0 ELSE 1 END";

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_schema is not null)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // Concurrent replicas may race to create the schema; the loser's error is harmless.
            try
            {
                await ExecuteAsync(connection, null, $"CREATE SCHEMA IF NOT EXISTS {_schema}", cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema)
            {
            }
        }
        await CreateTablesAsync(cancellationToken);
        await _events.StartAsync(cancellationToken);
    }

    private async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        // Replicas starting together race on CREATE TABLE IF NOT EXISTS; an advisory lock orders them.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(726873)", cancellationToken);
        try
        {
            await CreateSchemaAsync(connection, cancellationToken);
            // Each setting below is read first and set only when it differs: ALTER COLUMN takes an exclusive
            // lock on the table, which would hold up every report and check-in of a replica already serving.
            //
            // Rows rewritten in place by every report and check-in: room on each page lets PostgreSQL
            // update them without new index entries (HOT updates). Applies to pages written from now on.
            await SetUnlessAsync(connection, "ALTER TABLE node_states SET (fillfactor = 70)", HasOptionSql, cancellationToken, ("table", "node_states"), ("option", "fillfactor=70"));
            await SetUnlessAsync(connection, "ALTER TABLE nodes SET (fillfactor = 70)", HasOptionSql, cancellationToken, ("table", "nodes"), ("option", "fillfactor=70"));
            // Every report with a changed resource rewrites its node's states (about 13 KB of JSON, 4 KB
            // compressed): lz4 costs less CPU than the default pglz (measured with bench/Store.Bench --first:
            // 0.14-0.15 against 0.17-0.19 ms of PostgreSQL CPU per run). The same for a run's change log (up to
            // some 10 KB of text for a run that changed 50 resources). A server built without lz4 keeps pglz.
            try
            {
                await SetUnlessAsync(connection, "ALTER TABLE node_states ALTER COLUMN states SET COMPRESSION lz4",
                    IsLz4Sql, cancellationToken, ("table", "node_states"), ("column", "states"));
                await SetUnlessAsync(connection, "ALTER TABLE run_changes ALTER COLUMN entries SET COMPRESSION lz4",
                    IsLz4Sql, cancellationToken, ("table", "run_changes"), ("column", "entries"));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.FeatureNotSupported)
            {
            }
            // Compressed, a node's states (~4 KB for 50 resources) stay over the 2 KB at which PostgreSQL moves
            // a value out of line into the table's TOAST table. There every rewrite deleted the old chunks and
            // wrote new ones on other pages and into the TOAST index: four or more scattered pages per report,
            // each logged whole after a checkpoint. MAIN keeps the compressed value in the row (out of line
            // only when the row no longer fits a page): with the fillfactor above one row per page, and the
            // report's rewrite a HOT update of that one page. Rows written before convert on their next write.
            await SetUnlessAsync(connection, "ALTER TABLE node_states ALTER COLUMN states SET STORAGE MAIN",
                IsMainSql, cancellationToken, ("table", "node_states"), ("column", "states"));
        }
        finally
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(726873)", CancellationToken.None);
        }
    }

    // Whether @table's storage parameters include @option (e.g. fillfactor=70).
    private const string HasOptionSql = "SELECT coalesce(@option = ANY(reloptions), false) FROM pg_class WHERE oid = to_regclass(@table)";

    // Whether @table.@column is compressed with lz4, kept in its row (MAIN).
    private const string OfColumn = "FROM pg_attribute WHERE attrelid = to_regclass(@table) AND attname = @column";
    private const string IsLz4Sql = $"SELECT attcompression = 'l' {OfColumn}";
    private const string IsMainSql = $"SELECT attstorage = 'm' {OfColumn}";

    /// <summary>Runs <paramref name="setSql"/> unless <paramref name="settledSql"/> answers true (the setting is in place).</summary>
    private static async Task SetUnlessAsync(
        NpgsqlConnection connection, string setSql, string settledSql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        if (await ScalarAsync(connection, null, settledSql, cancellationToken, parameters) is not true)
        {
            await ExecuteAsync(connection, null, setSql, cancellationToken);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // The base first: it commits the reports still queued, which needs the data source.
        await base.DisposeAsync();
        await _events.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0]);
}
