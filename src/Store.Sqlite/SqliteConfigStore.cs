using System.Data.Common;
using Colabo.Config.Store.Sql;
using Microsoft.Data.Sqlite;

namespace Colabo.Config.Store.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file (WAL mode) in the master's data dir. Writes are
/// serialized in-process; events stay in-process, so one SQLite file serves one replica.
/// </summary>
public sealed class SqliteConfigStore : SqlConfigStore
{
    private static readonly Lazy<bool> s_native = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private readonly string _connectionString;

    public SqliteConfigStore(string path)
        : base(serializeWrites: true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _ = s_native.Value;
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override IEventBus Events { get; } = new InProcessEventBus();

    protected override string BlobType => "BLOB";

    // RFC 7396 merge: the patch's keys replace the existing ones; a state is an array, so it is replaced whole.
    protected override string MergeJsonObjects(string existing, string patch) => $"json_patch({existing}, {patch})";

    protected override string ColumnTypeSql => "SELECT type FROM pragma_table_info(@table) WHERE name = @column";

    protected override string ResourceStatesAggregate => """
        json_group_object(resource_id, json_array(kind, role, status, message, run_id, updated_at, last_changed_at,
          last_change_class, desired_digest, catalog_hash))
        """;

    protected override string ChangeEntriesJoin => "CROSS JOIN json_each(c.entries) AS e";

    protected override string ChangesAggregate =>
        "json_group_array(json_array(resource_id, kind, role, status, change_class, changes, message, at, catalog_hash))";

    protected override string RelationExistsSql => "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'index') AND name = @name";

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken);
        }
        await base.InitializeAsync(cancellationToken);
    }

    /// <summary>
    /// Other writes run with synchronous=NORMAL (WAL: safe against a crash of the process, not of the
    /// machine). A report batch commits with FULL, which fsyncs the WAL, so a run acknowledged to
    /// an agent (which then deletes its spool copy) survives a power loss too; group commit pays
    /// that fsync once per batch, not once per report.
    /// </summary>
    protected override async Task PrepareRunConnectionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL", cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // PostgreSQL's LIKE is case-sensitive; make SQLite's agree. busy_timeout covers other processes.
            await ExecuteAsync(connection, null, "PRAGMA case_sensitive_like = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
