using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// The store over ADO.NET, shared by the SQLite and PostgreSQL providers: the SQL is portable
/// (ON CONFLICT upserts, BIGINT milliseconds, LIKE with an explicit escape), providers supply
/// connections, the binary column type and the event bus.
/// </summary>
public abstract partial class SqlConfigStore : IConfigStore
{
    private readonly SemaphoreSlim? _writeGate;

    /// <param name="serializeWrites">SQLite has one writer at a time; queuing in-process beats busy retries.</param>
    protected SqlConfigStore(bool serializeWrites)
    {
        _writeGate = serializeWrites ? new SemaphoreSlim(1, 1) : null;
    }

    public abstract IEventBus Events { get; }

    protected abstract string BlobType { get; }

    /// <summary>SQL merging two JSON objects held as text key by key, the second one's values winning (as text).</summary>
    protected abstract string MergeJsonObjects(string existing, string patch);

    /// <summary>SQL answering the declared type of the column <c>@column</c> of the table <c>@table</c> (lower case), no row when there is none.</summary>
    protected abstract string ColumnTypeSql { get; }

    /// <summary>SQL aggregating the rows of one node in the old <c>resource_states</c> table into its states object.</summary>
    protected abstract string ResourceStatesAggregate { get; }

    /// <summary>SQL answering 1 when the table or index named by the parameter <c>@name</c> exists in the store, else 0.</summary>
    protected abstract string RelationExistsSql { get; }

    /// <summary>
    /// SQL joining each row <c>c</c> of <c>run_changes</c> to its entries, one row <c>e</c> per entry with the
    /// entry's JSON array in <c>e.value</c>.
    /// </summary>
    protected abstract string ChangeEntriesJoin { get; }

    /// <summary>SQL aggregating the rows of one run in the old <c>changes</c> table into its entries array (as text).</summary>
    protected abstract string ChangesAggregate { get; }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        await CreateSchemaAsync(lease.Connection, cancellationToken);
    }

    /// <summary>Creates what is missing and brings a store written by an older version up to date.</summary>
    protected async Task CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (var statement in SqlSchema.Statements(BlobType))
        {
            // CREATE INDEX IF NOT EXISTS locks its table against writes before it finds the index there
            // (PostgreSQL), so a replica starting next to a busy one would hold reports up: look first.
            if (SqlSchema.IndexCreated(statement) is { } index && await ExistsAsync(connection, index, cancellationToken))
            {
                continue;
            }
            await ExecuteAsync(connection, null, statement, cancellationToken);
        }
        await UpgradeColumnsAsync(connection, cancellationToken);
        // Stores written before node_states kept one row per resource in resource_states: each node's rows
        // become its states object.
        await MoveOldTableAsync(connection, "resource_states", $"""
            INSERT INTO node_states (node, states)
            SELECT node, {ResourceStatesAggregate} FROM resource_states WHERE true GROUP BY node
            ON CONFLICT (node) DO UPDATE SET states = {MergeJsonObjects("excluded.states", "node_states.states")}
            """, cancellationToken);
        // Stores written before run_changes kept one row per change-log entry in changes: each run's rows
        // become its entries array (each entry with its own catalog hash, as the old rows had).
        await MoveOldTableAsync(connection, "changes", $"""
            INSERT INTO run_changes (node, run_id, first_at, last_at, catalog_hash, entry_count, entries)
            SELECT node, run_id, MIN(at), MAX(at), MIN(catalog_hash), COUNT(*), {ChangesAggregate}
            FROM changes WHERE true GROUP BY node, run_id
            ON CONFLICT (node, run_id) DO NOTHING
            """, cancellationToken);
    }

    /// <summary>Brings the columns of tables an older version created up to date (run before any data moves).</summary>
    protected virtual async Task UpgradeColumnsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // node_states before the finish time of the run that wrote each row: 0, which any run replaces.
        if (await ColumnTypeAsync(connection, "node_states", "at", cancellationToken) is null)
        {
            await ExecuteAsync(connection, null, "ALTER TABLE node_states ADD COLUMN at BIGINT NOT NULL DEFAULT 0", cancellationToken);
        }
    }

    /// <summary>The declared type of a column in lower case, null when the table has no such column.</summary>
    protected async Task<string?> ColumnTypeAsync(DbConnection connection, string table, string column, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await ScalarAsync(connection, null, ColumnTypeSql, cancellationToken, ("table", table), ("column", column)) is string name
            ? name.ToLowerInvariant()
            : null;
    }

    private async Task<bool> ExistsAsync(DbConnection connection, string relation, CancellationToken cancellationToken)
    {
        return Convert.ToInt64(await ScalarAsync(connection, null, RelationExistsSql, cancellationToken, ("name", relation)), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>
    /// Upgrades a store written by an older version: when <paramref name="table"/> is still there, its rows
    /// move by <paramref name="moveSql"/> and the table goes, in one transaction, so an interrupted upgrade
    /// leaves the old table whole and the next start does it again.
    /// </summary>
    private async Task MoveOldTableAsync(DbConnection connection, string table, string moveSql, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(connection, table, cancellationToken))
        {
            return;
        }
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, tx, moveSql, cancellationToken);
        await ExecuteAsync(connection, tx, $"DROP TABLE {table}", cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await CloseRunQueueAsync();
        _writeGate?.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- nodes ----

    public async Task UpsertNodeAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        await using var lease = await WriteAsync(cancellationToken);
        await ExecuteAsync(lease.Connection, null, """
            INSERT INTO nodes (name, environment, roles, facts, catalog_hash, applied_hash, enrolled_at,
              last_seen_at, last_report_at, last_run_id, last_run_state, certificate_serial)
            VALUES (@name, @env, @roles, @facts, @catalog, @applied, @enrolled, @seen, @report, @runid, @runstate, @serial)
            ON CONFLICT (name) DO UPDATE SET environment = excluded.environment, roles = excluded.roles,
              facts = excluded.facts, catalog_hash = excluded.catalog_hash, applied_hash = excluded.applied_hash,
              enrolled_at = excluded.enrolled_at, last_seen_at = excluded.last_seen_at,
              last_report_at = excluded.last_report_at, last_run_id = excluded.last_run_id,
              last_run_state = excluded.last_run_state, certificate_serial = excluded.certificate_serial
            """, cancellationToken,
            ("name", node.Name), ("env", node.Environment), ("roles", JsonList(node.Roles)), ("facts", node.FactsJson),
            ("catalog", node.CatalogHash), ("applied", node.AppliedHash), ("enrolled", Ms(node.EnrolledAt)),
            ("seen", Ms(node.LastSeenAt)), ("report", Ms(node.LastReportAt)), ("runid", node.LastRunId),
            ("runstate", node.LastRunState), ("serial", node.CertificateSerial));
    }

    public async Task<NodeRecord?> GetNodeAsync(string name, CancellationToken cancellationToken)
    {
        var nodes = await QueryAsync($"SELECT {NodeColumns} FROM nodes WHERE name = @name", ReadNode, cancellationToken, ("name", name));
        return nodes.Count == 0 ? null : nodes[0];
    }

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {NodeColumns} FROM nodes ORDER BY name", ReadNode, cancellationToken);

    public async Task RecordCheckInAsync(string node, string? factsJson, string catalogHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        var sql = factsJson is null
            ? "UPDATE nodes SET catalog_hash = @catalog, last_seen_at = @seen WHERE name = @name"
            : "UPDATE nodes SET catalog_hash = @catalog, last_seen_at = @seen, facts = @facts WHERE name = @name";
        await ExecuteAsync(lease.Connection, null, sql, cancellationToken,
            ("catalog", catalogHash), ("seen", Ms(at)), ("facts", factsJson ?? ""), ("name", node));
    }

    private const string NodeColumns = "name, environment, roles, facts, catalog_hash, applied_hash, enrolled_at, last_seen_at, last_report_at, last_run_id, last_run_state, certificate_serial";

    private static NodeRecord ReadNode(DbDataReader r) => new()
    {
        Name = r.GetString(0),
        Environment = r.GetString(1),
        Roles = ParseList(r.GetString(2)),
        FactsJson = r.GetString(3),
        CatalogHash = r.GetString(4),
        AppliedHash = r.GetString(5),
        EnrolledAt = Time(r, 6),
        LastSeenAt = TimeOrNull(r, 7),
        LastReportAt = TimeOrNull(r, 8),
        LastRunId = r.GetString(9),
        LastRunState = r.GetString(10),
        CertificateSerial = r.GetString(11),
    };

    // ---- catalogs and settings ----

    public Task PutCatalogAsync(string hash, byte[] signedCatalog, CancellationToken cancellationToken) =>
        PutCatalogsAsync([KeyValuePair.Create(hash, signedCatalog)], cancellationToken);

    public async Task PutCatalogsAsync(IReadOnlyList<KeyValuePair<string, byte[]>> signedCatalogs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signedCatalogs);
        await using var lease = await WriteAsync(cancellationToken);
        await using var tx = await lease.Connection.BeginTransactionAsync(cancellationToken);
        var at = Ms(DateTimeOffset.UtcNow);
        foreach (var (hash, body) in signedCatalogs)
        {
            await ExecuteAsync(lease.Connection, tx,
                "INSERT INTO catalogs (hash, body, stored_at) VALUES (@hash, @body, @at) ON CONFLICT (hash) DO NOTHING",
                cancellationToken, ("hash", hash), ("body", body), ("at", at));
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<byte[]?> GetCatalogAsync(string hash, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT body FROM catalogs WHERE hash = @hash", r => (byte[])r.GetValue(0), cancellationToken, ("hash", hash));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT value FROM settings WHERE key = @key", r => r.GetString(0), cancellationToken, ("key", key));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        await ExecuteAsync(lease.Connection, null,
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            cancellationToken, ("key", key), ("value", value));
    }

    public async Task<string> AddSettingIfAbsentAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using (var lease = await WriteAsync(cancellationToken))
        {
            await ExecuteAsync(lease.Connection, null,
                "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING",
                cancellationToken, ("key", key), ("value", value));
        }
        return await GetSettingAsync(key, cancellationToken) ?? value;
    }

    // ---- tokens ----

    public async Task AddTokenAsync(EnrollmentTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var lease = await WriteAsync(cancellationToken);
        await ExecuteAsync(lease.Connection, null, """
            INSERT INTO tokens (id, hash, name_pattern, roles, environment, created_at, expires_at, max_uses, uses, revoked, description, created_by)
            VALUES (@id, @hash, @pattern, @roles, @env, @created, @expires, @max, @uses, @revoked, @description, @by)
            """, cancellationToken,
            ("id", token.Id), ("hash", token.Hash), ("pattern", token.NamePattern), ("roles", JsonList(token.Roles)),
            ("env", token.Environment), ("created", Ms(token.CreatedAt)), ("expires", Ms(token.ExpiresAt)),
            ("max", (long)token.MaxUses), ("uses", (long)token.Uses), ("revoked", token.Revoked ? 1L : 0L),
            ("description", token.Description), ("by", token.CreatedBy));
    }

    public Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {TokenColumns} FROM tokens ORDER BY created_at DESC, id", ReadToken, cancellationToken);

    public async Task<EnrollmentTokenRecord?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {TokenColumns} FROM tokens WHERE hash = @hash", ReadToken, cancellationToken, ("hash", hash));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<TokenUse> UseTokenAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int updated;
        await using (var lease = await WriteAsync(cancellationToken))
        {
            updated = await ExecuteAsync(lease.Connection, null, """
                UPDATE tokens SET uses = uses + 1
                WHERE hash = @hash AND revoked = 0 AND uses < max_uses AND expires_at > @now
                """, cancellationToken, ("hash", hash), ("now", Ms(now)));
        }
        var token = await FindTokenByHashAsync(hash, cancellationToken);
        if (updated == 1)
        {
            return new TokenUse(TokenUseOutcome.Accepted, token);
        }
        var outcome = token switch
        {
            null => TokenUseOutcome.Unknown,
            { Revoked: true } => TokenUseOutcome.Revoked,
            _ when token.ExpiresAt <= now => TokenUseOutcome.Expired,
            _ => TokenUseOutcome.UsedUp,
        };
        return new TokenUse(outcome, token);
    }

    public async Task<bool> RevokeTokenAsync(string id, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        return await ExecuteAsync(lease.Connection, null, "UPDATE tokens SET revoked = 1 WHERE id = @id AND revoked = 0",
            cancellationToken, ("id", id)) == 1;
    }

    private const string TokenColumns = "id, hash, name_pattern, roles, environment, created_at, expires_at, max_uses, uses, revoked, description, created_by";

    private static EnrollmentTokenRecord ReadToken(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Hash = r.GetString(1),
        NamePattern = r.GetString(2),
        Roles = ParseList(r.GetString(3)),
        Environment = r.GetString(4),
        CreatedAt = Time(r, 5),
        ExpiresAt = Time(r, 6),
        MaxUses = (int)Long(r, 7),
        Uses = (int)Long(r, 8),
        Revoked = Long(r, 9) != 0,
        Description = r.GetString(10),
        CreatedBy = r.GetString(11),
    };

    // ---- certificates ----

    public async Task AddCertificateAsync(CertificateRecord certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        await using var lease = await WriteAsync(cancellationToken);
        await ExecuteAsync(lease.Connection, null, """
            INSERT INTO certificates (serial, subject, kind, not_before, not_after, fingerprint, pem, revoked_at, revocation_reason)
            VALUES (@serial, @subject, @kind, @nb, @na, @fp, @pem, @revoked, @reason)
            ON CONFLICT (serial) DO NOTHING
            """, cancellationToken,
            ("serial", certificate.Serial), ("subject", certificate.Subject), ("kind", certificate.Kind),
            ("nb", Ms(certificate.NotBefore)), ("na", Ms(certificate.NotAfter)), ("fp", certificate.Fingerprint),
            ("pem", certificate.Pem), ("revoked", Ms(certificate.RevokedAt)), ("reason", certificate.RevocationReason));
    }

    public async Task<CertificateRecord?> GetCertificateAsync(string serial, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {CertificateColumns} FROM certificates WHERE serial = @serial", ReadCertificate, cancellationToken, ("serial", serial));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<CertificateRecord>> ListCertificatesAsync(string? subject, CancellationToken cancellationToken) =>
        subject is null
            ? QueryAsync($"SELECT {CertificateColumns} FROM certificates ORDER BY not_before DESC, serial", ReadCertificate, cancellationToken)
            : QueryAsync($"SELECT {CertificateColumns} FROM certificates WHERE subject = @subject ORDER BY not_before DESC, serial", ReadCertificate, cancellationToken, ("subject", subject));

    public async Task<bool> RevokeCertificateAsync(string serial, DateTimeOffset at, string reason, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        return await ExecuteAsync(lease.Connection, null,
            "UPDATE certificates SET revoked_at = @at, revocation_reason = @reason WHERE serial = @serial AND revoked_at IS NULL",
            cancellationToken, ("at", Ms(at)), ("reason", reason), ("serial", serial)) == 1;
    }

    public Task<IReadOnlyList<string>> ListRevokedSerialsAsync(CancellationToken cancellationToken) =>
        QueryAsync("SELECT serial FROM certificates WHERE revoked_at IS NOT NULL ORDER BY serial", r => r.GetString(0), cancellationToken);

    private const string CertificateColumns = "serial, subject, kind, not_before, not_after, fingerprint, pem, revoked_at, revocation_reason";

    private static CertificateRecord ReadCertificate(DbDataReader r) => new()
    {
        Serial = r.GetString(0),
        Subject = r.GetString(1),
        Kind = r.GetString(2),
        NotBefore = Time(r, 3),
        NotAfter = Time(r, 4),
        Fingerprint = r.GetString(5),
        Pem = r.GetString(6),
        RevokedAt = TimeOrNull(r, 7),
        RevocationReason = r.GetString(8),
    };

    // ---- secrets ----

    public async Task SetSecretAsync(string name, byte[] sealedValue, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        await ExecuteAsync(lease.Connection, null, """
            INSERT INTO secrets (name, value, updated_at) VALUES (@name, @value, @at)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, cancellationToken, ("name", name), ("value", sealedValue), ("at", Ms(at)));
    }

    public async Task<byte[]?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT value FROM secrets WHERE name = @name", r => (byte[])r.GetValue(0), cancellationToken, ("name", name));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<string>> ListSecretNamesAsync(CancellationToken cancellationToken) =>
        QueryAsync("SELECT name FROM secrets ORDER BY name", r => r.GetString(0), cancellationToken);

    public async Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        return await ExecuteAsync(lease.Connection, null, "DELETE FROM secrets WHERE name = @name", cancellationToken, ("name", name)) == 1;
    }

    // ---- reports ----

    public async Task<RunRecord?> GetRunAsync(string node, string runId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {RunColumns} FROM runs WHERE node = @node AND run_id = @run", ReadRun, cancellationToken, ("node", node), ("run", runId));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(string node, DateTimeOffset? since, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {RunColumns} FROM runs WHERE node = @node AND finished_at >= @since ORDER BY finished_at DESC, run_id LIMIT @limit",
            ReadRun, cancellationToken, ("node", node), ("since", since is null ? long.MinValue : Ms(since.Value)), ("limit", (long)Math.Max(1, limit)));

    public async Task<IReadOnlyList<ChangeRecord>> ListChangesOfRunAsync(string node, string runId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT catalog_hash, entries FROM run_changes WHERE node = @node AND run_id = @run",
            r => (CatalogHash: r.GetString(0), Entries: r.GetString(1)), cancellationToken, ("node", node), ("run", runId));
        return rows.Count == 0 ? [] : ChangeLogJson.Read(node, runId, rows[0].CatalogHash, Encoding.UTF8.GetBytes(rows[0].Entries));
    }

    public async Task<IReadOnlyList<ResourceStateRecord>> GetResourceStatesAsync(string node, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT states FROM node_states WHERE node = @node", r => r.GetFieldValue<byte[]>(0), cancellationToken, ("node", node));
        return rows.Count == 0 ? [] : NodeStatesJson.Read(node, rows[0]);
    }

    public Task<IReadOnlyList<ChangeRecord>> QueryChangesAsync(ChangeQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Node and time narrow the runs before their entries are taken apart; every filter then applies
        // to the entries.
        var runs = new StringBuilder("1 = 1");
        var sql = new StringBuilder(" WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        if (!string.IsNullOrEmpty(query.NodeGlob) && query.NodeGlob != "*")
        {
            runs.Append(" AND c.node LIKE @node ESCAPE '\\'");
            parameters.Add(("node", Glob.ToLike(query.NodeGlob)));
        }
        if (!string.IsNullOrEmpty(query.Role))
        {
            sql.Append(" AND role = @role");
            parameters.Add(("role", query.Role));
        }
        if (!string.IsNullOrEmpty(query.ResourceGlob))
        {
            sql.Append(" AND resource_id LIKE @resource ESCAPE '\\'");
            parameters.Add(("resource", Glob.ToLike(query.ResourceGlob)));
        }
        if (query.Since is { } since)
        {
            runs.Append(" AND c.last_at >= @since");
            sql.Append(" AND at >= @since");
            parameters.Add(("since", Ms(since)));
        }
        if (query.Until is { } until)
        {
            runs.Append(" AND c.first_at < @until");
            sql.Append(" AND at < @until");
            parameters.Add(("until", Ms(until)));
        }
        if (query.Classes.Count > 0)
        {
            sql.Append(" AND change_class IN (");
            for (var i = 0; i < query.Classes.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append("@class").Append(i);
                parameters.Add(("class" + i, query.Classes[i]));
            }
            sql.Append(')');
        }
        sql.Append(" ORDER BY at DESC, node, resource_id LIMIT @limit");
        parameters.Add(("limit", (long)Math.Max(1, query.Limit)));
        return QueryAsync($"SELECT {ChangeColumns} FROM {ChangeRows(runs.ToString())}{sql}", ReadChange, cancellationToken, [.. parameters]);
    }

    public async Task<CompactionResult> CompactAsync(DateTimeOffset cutoff, DateTimeOffset catalogCutoff, CancellationToken cancellationToken)
    {
        await using var lease = await WriteAsync(cancellationToken);
        await using var tx = await lease.Connection.BeginTransactionAsync(cancellationToken);
        var at = Ms(cutoff);
        // A run's change-log entries go together, once the newest of them is older than the cutoff.
        const string OldChanges = """
            FROM run_changes WHERE last_at < @at
              AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.name = run_changes.node AND n.last_run_id = run_changes.run_id)
            """;
        var changes = Convert.ToInt32(
            await ScalarAsync(lease.Connection, tx, $"SELECT COALESCE(SUM(entry_count), 0) {OldChanges}", cancellationToken, ("at", at)),
            System.Globalization.CultureInfo.InvariantCulture);
        await ExecuteAsync(lease.Connection, tx, $"DELETE {OldChanges}", cancellationToken, ("at", at));
        var runs = await ExecuteAsync(lease.Connection, tx, """
            DELETE FROM runs WHERE finished_at < @at
              AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.name = runs.node AND n.last_run_id = runs.run_id)
            """, cancellationToken, ("at", at));
        var tokens = await ExecuteAsync(lease.Connection, tx, "DELETE FROM tokens WHERE expires_at < @at", cancellationToken, ("at", at));
        var certificates = await ExecuteAsync(lease.Connection, tx, "DELETE FROM certificates WHERE not_after < @at", cancellationToken, ("at", at));
        // Every deploy archives a catalog per node; those nobody holds any more would otherwise pile up
        // (about 80 MB per deploy of a 10,000-node fleet). NOT IN over the two columns is one hashed set,
        // not a scan of the nodes per catalog.
        var catalogs = await ExecuteAsync(lease.Connection, tx, """
            DELETE FROM catalogs WHERE stored_at < @at
              AND hash NOT IN (SELECT catalog_hash FROM nodes UNION SELECT applied_hash FROM nodes)
            """, cancellationToken, ("at", Ms(catalogCutoff)));
        await tx.CommitAsync(cancellationToken);
        return new CompactionResult(runs, changes, tokens, certificates, catalogs);
    }

    private const string RunColumns = "node, run_id, mode, catalog_hash, commit_id, started_at, finished_at, received_at, total, in_sync, changed, would_change, failed, skipped, corrective, intentional, state, error";

    private static RunRecord ReadRun(DbDataReader r) => new()
    {
        Node = r.GetString(0),
        RunId = r.GetString(1),
        Mode = r.GetString(2),
        CatalogHash = r.GetString(3),
        Commit = r.GetString(4),
        StartedAt = Time(r, 5),
        FinishedAt = Time(r, 6),
        ReceivedAt = Time(r, 7),
        Total = (int)Long(r, 8),
        InSync = (int)Long(r, 9),
        Changed = (int)Long(r, 10),
        WouldChange = (int)Long(r, 11),
        Failed = (int)Long(r, 12),
        Skipped = (int)Long(r, 13),
        Corrective = (int)Long(r, 14),
        Intentional = (int)Long(r, 15),
        State = r.GetString(16),
        Error = r.GetString(17),
    };

    private const string ChangeColumns = "node, run_id, resource_id, kind, role, status, change_class, changes, message, at, catalog_hash";

    /// <summary>
    /// The change log as rows of <see cref="ChangeColumns"/> (a derived table named <c>changes</c>): the
    /// entries of the runs in <c>run_changes c</c> that <paramref name="runFilter"/> keeps.
    /// </summary>
    private string ChangeRows(string runFilter) => $"""
        (SELECT c.node AS node, c.run_id AS run_id, e.value ->> 0 AS resource_id, e.value ->> 1 AS kind,
           e.value ->> 2 AS role, e.value ->> 3 AS status, e.value ->> 4 AS change_class, e.value ->> 5 AS changes,
           e.value ->> 6 AS message, CAST(e.value ->> 7 AS BIGINT) AS at, COALESCE(e.value ->> 8, c.catalog_hash) AS catalog_hash
         FROM run_changes c {ChangeEntriesJoin} WHERE {runFilter}) changes
        """;

    private static ChangeRecord ReadChange(DbDataReader r) => new()
    {
        Node = r.GetString(0),
        RunId = r.GetString(1),
        ResourceId = r.GetString(2),
        Kind = r.GetString(3),
        Role = r.GetString(4),
        Status = r.GetString(5),
        Class = r.GetString(6),
        ChangesJson = r.GetString(7),
        Message = r.GetString(8),
        At = Time(r, 9),
        CatalogHash = r.GetString(10),
    };

    // ---- plumbing ----

    /// <summary>A connection, holding the write gate when the provider serializes writes.</summary>
    protected sealed class Lease(DbConnection connection, SemaphoreSlim? gate) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = connection;

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            gate?.Release();
        }
    }

    protected async Task<Lease> WriteAsync(CancellationToken cancellationToken)
    {
        if (_writeGate is not null)
        {
            await _writeGate.WaitAsync(cancellationToken);
        }
        try
        {
            return new Lease(await OpenAsync(cancellationToken), _writeGate);
        }
        catch
        {
            _writeGate?.Release();
            throw;
        }
    }

    protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    protected static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row the query answers, null when it answers none.</summary>
    protected static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // SQL text is constant; values always travel as parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(Parameter(command, name, value));
        }
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        switch (value)
        {
            case null:
                parameter.DbType = DbType.Int64;
                parameter.Value = DBNull.Value;
                break;
            case long l:
                parameter.DbType = DbType.Int64;
                parameter.Value = l;
                break;
            case string s:
                parameter.DbType = DbType.String;
                parameter.Value = s;
                break;
            case byte[] b:
                parameter.DbType = DbType.Binary;
                parameter.Value = b;
                break;
            default:
                parameter.Value = value;
                break;
        }
        return parameter;
    }

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(Long(r, i));

    private static DateTimeOffset? TimeOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);

    private static string JsonList(IReadOnlyList<string> values) => JsonSerializer.Serialize(values, StoreJson.Default.IReadOnlyListString);

    private static IReadOnlyList<string> ParseList(string json) => JsonSerializer.Deserialize(json, StoreJson.Default.IReadOnlyListString) ?? [];
}
