namespace Colabo.Config.Store.Sql;

/// <summary>
/// The schema, written once for both providers: timestamps are Unix milliseconds (BIGINT), booleans
/// are 0/1, lists are JSON text; only the binary column type differs.
/// </summary>
public static partial class SqlSchema
{
    /// <summary>The index a <c>CREATE INDEX IF NOT EXISTS</c> statement creates, null for any other statement.</summary>
    public static string? IndexCreated(string statement) =>
        CreateIndex().Match(statement) is { Success: true } match ? match.Groups[1].Value : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"^CREATE INDEX IF NOT EXISTS (\w+) ON ")]
    private static partial System.Text.RegularExpressions.Regex CreateIndex();

    public static IReadOnlyList<string> Statements(string blobType) =>
    [
        """
        CREATE TABLE IF NOT EXISTS nodes (
          name TEXT PRIMARY KEY, environment TEXT NOT NULL, roles TEXT NOT NULL, facts TEXT NOT NULL,
          catalog_hash TEXT NOT NULL, applied_hash TEXT NOT NULL, enrolled_at BIGINT NOT NULL,
          last_seen_at BIGINT NULL, last_report_at BIGINT NULL, last_run_id TEXT NOT NULL,
          last_run_state TEXT NOT NULL, certificate_serial TEXT NOT NULL)
        """,
        $"CREATE TABLE IF NOT EXISTS catalogs (hash TEXT PRIMARY KEY, body {blobType} NOT NULL, stored_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS tokens (
          id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name_pattern TEXT NOT NULL, roles TEXT NOT NULL,
          environment TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
          max_uses BIGINT NOT NULL, uses BIGINT NOT NULL, revoked BIGINT NOT NULL,
          description TEXT NOT NULL, created_by TEXT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS certificates (
          serial TEXT PRIMARY KEY, subject TEXT NOT NULL, kind TEXT NOT NULL, not_before BIGINT NOT NULL,
          not_after BIGINT NOT NULL, fingerprint TEXT NOT NULL, pem TEXT NOT NULL,
          revoked_at BIGINT NULL, revocation_reason TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS certificates_subject ON certificates (subject)",
        $"CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value {blobType} NOT NULL, updated_at BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS runs (
          node TEXT NOT NULL, run_id TEXT NOT NULL, mode TEXT NOT NULL, catalog_hash TEXT NOT NULL,
          commit_id TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL,
          received_at BIGINT NOT NULL, total BIGINT NOT NULL, in_sync BIGINT NOT NULL,
          changed BIGINT NOT NULL, would_change BIGINT NOT NULL, failed BIGINT NOT NULL,
          skipped BIGINT NOT NULL, corrective BIGINT NOT NULL, intentional BIGINT NOT NULL,
          state TEXT NOT NULL, error TEXT NOT NULL,
          PRIMARY KEY (node, run_id))
        """,
        "CREATE INDEX IF NOT EXISTS runs_node_finished ON runs (node, finished_at)",
        // The change log: a run's entries in one value (see ChangeLogJson), first and last entry times for
        // time-range queries. A row per entry cost 50 inserts into the table and two indexes per report that
        // changed 50 resources, more than all of the report's other writes.
        """
        CREATE TABLE IF NOT EXISTS run_changes (
          node TEXT NOT NULL, run_id TEXT NOT NULL, first_at BIGINT NOT NULL, last_at BIGINT NOT NULL,
          catalog_hash TEXT NOT NULL, entry_count BIGINT NOT NULL, entries TEXT NOT NULL,
          PRIMARY KEY (node, run_id))
        """,
        "CREATE INDEX IF NOT EXISTS run_changes_last_at ON run_changes (last_at)",
        // A node's last-known resource states, all in one value (see NodeStatesJson): a report rewrites one
        // row and reading them back is one row, where a row per resource cost 50 scattered writes and reads.
        // The value is text the master writes whole (the database neither parses nor merges it); at is the
        // finish time of the run that wrote it, so a run committed late never replaces a later run's states.
        "CREATE TABLE IF NOT EXISTS node_states (node TEXT PRIMARY KEY, states TEXT NOT NULL, at BIGINT NOT NULL DEFAULT 0)",
        .. SqlConfigStore.RepoStatusSchema,
    ];
}
