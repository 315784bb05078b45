namespace Colabo.Config.Store;

/// <summary>
/// Everything the master persists. Two implementations (SQLite, PostgreSQL) pass one conformance
/// suite. Every method is safe to call concurrently; writes that must be atomic are single calls.
/// </summary>
public interface IConfigStore : IAsyncDisposable, IRepoStatusStore
{
    /// <summary>Fans events out to every replica sharing this store.</summary>
    IEventBus Events { get; }

    /// <summary>Creates or upgrades the schema. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    // Nodes
    Task UpsertNodeAsync(NodeRecord node, CancellationToken cancellationToken);
    Task<NodeRecord?> GetNodeAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken);
    /// <summary>Records a check-in: facts (when not null), the catalog hash served, the time.</summary>
    Task RecordCheckInAsync(string node, string? factsJson, string catalogHash, DateTimeOffset at, CancellationToken cancellationToken);

    // Catalogs (content-addressed) and settings
    Task PutCatalogAsync(string hash, byte[] signedCatalog, CancellationToken cancellationToken);
    /// <summary>Several catalogs in one transaction (a deploy archives one per node); a hash already stored is left as it is.</summary>
    Task PutCatalogsAsync(IReadOnlyList<KeyValuePair<string, byte[]>> signedCatalogs, CancellationToken cancellationToken);
    Task<byte[]?> GetCatalogAsync(string hash, CancellationToken cancellationToken);
    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken);
    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken);
    /// <summary>Stores the value unless the key exists; returns the value that is stored now.</summary>
    Task<string> AddSettingIfAbsentAsync(string key, string value, CancellationToken cancellationToken);

    // Enrollment tokens
    Task AddTokenAsync(EnrollmentTokenRecord token, CancellationToken cancellationToken);
    Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken);
    Task<EnrollmentTokenRecord?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken);
    /// <summary>Atomically consumes one use when the token is known, unrevoked, unexpired and not used up.</summary>
    Task<TokenUse> UseTokenAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken);
    Task<bool> RevokeTokenAsync(string id, CancellationToken cancellationToken);

    // Certificates and revocations
    Task AddCertificateAsync(CertificateRecord certificate, CancellationToken cancellationToken);
    Task<CertificateRecord?> GetCertificateAsync(string serial, CancellationToken cancellationToken);
    /// <summary>Certificates of one subject, or all when <paramref name="subject"/> is null; newest first.</summary>
    Task<IReadOnlyList<CertificateRecord>> ListCertificatesAsync(string? subject, CancellationToken cancellationToken);
    /// <summary>False when the serial is unknown or already revoked.</summary>
    Task<bool> RevokeCertificateAsync(string serial, DateTimeOffset at, string reason, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> ListRevokedSerialsAsync(CancellationToken cancellationToken);

    // Secrets (values arrive sealed; the store never sees plaintext)
    Task SetSecretAsync(string name, byte[] sealedValue, DateTimeOffset at, CancellationToken cancellationToken);
    Task<byte[]?> GetSecretAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> ListSecretNamesAsync(CancellationToken cancellationToken);
    Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken);

    // Reports
    /// <summary>
    /// Atomically records a run, its change-log entries, the node's last-known resource states, and
    /// the node's report summary. Returns false (and stores nothing) when the run id is already recorded.
    /// </summary>
    /// <param name="states">
    /// Every resource state the node has after this run (the caller read the ones before it): they replace
    /// the stored states whole, unless the stored ones were written by a run that finished later. Empty
    /// leaves the stored states as they are.
    /// </param>
    Task<bool> SaveRunAsync(RunRecord run, IReadOnlyList<ChangeRecord> changes, IReadOnlyList<ResourceStateRecord> states, CancellationToken cancellationToken);
    Task<RunRecord?> GetRunAsync(string node, string runId, CancellationToken cancellationToken);
    /// <summary>Runs of a node, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(string node, DateTimeOffset? since, int limit, CancellationToken cancellationToken);
    Task<IReadOnlyList<ChangeRecord>> ListChangesOfRunAsync(string node, string runId, CancellationToken cancellationToken);
    Task<IReadOnlyList<ResourceStateRecord>> GetResourceStatesAsync(string node, CancellationToken cancellationToken);
    /// <summary>Change-log entries matching the query, newest first.</summary>
    Task<IReadOnlyList<ChangeRecord>> QueryChangesAsync(ChangeQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes runs and change-log entries older than <paramref name="cutoff"/> (never a node's last
    /// run), tokens expired before it, certificates that expired before it, and archived catalogs stored
    /// before <paramref name="catalogCutoff"/> that no node holds or last applied. Last-known resource
    /// states are kept.
    /// </summary>
    Task<CompactionResult> CompactAsync(DateTimeOffset cutoff, DateTimeOffset catalogCutoff, CancellationToken cancellationToken);
}
