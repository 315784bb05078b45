using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Repository;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Metrics;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Serving;
using Colabo.Config.Master.Telemetry;
using Colabo.Config.Store;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Master.Roles;

/// <summary>
/// The role repository as the master serves it: a mirror clone in the data dir, fetched on a poll
/// interval and on deploy. A new commit of an environment's branch is compiled for every node of
/// that environment before it is published; a commit that does not compile is never published
/// (nodes keep their last good catalog; the errors show in the repo status). After publishing,
/// exactly the nodes whose catalog changed are pushed, through the rate-limited push queue.
/// </summary>
public sealed partial class RoleSource : IAsyncDisposable
{
    private const string PublishedSetting = "env.{0}.published";
    private readonly string? _repo;
    private readonly string _mirror;
    private readonly IConfigStore _store;
    private readonly CompilationCache _cache;
    private readonly CatalogArchive _archive;
    private readonly CatalogSigner _signer;
    private readonly SecretsVault _secrets;
    private readonly PushQueue _push;
    private readonly MasterMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _deployGate = new(1, 1);
    private readonly SemaphoreSlim _gitGate = new(1, 1);
    private readonly Dictionary<string, EnvironmentState> _environments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RepositorySnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable _subscription;
    private RoleRepository? _repository;
    private DateTimeOffset? _lastFetchAt;
    private Task? _poller;

    public RoleSource(string? repo, string mirrorDirectory, IConfigStore store, NodeDirectory nodes, CompilationCache cache, CatalogArchive archive,
        CatalogSigner signer, SecretsVault secrets, PushQueue push, MasterMetrics metrics, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _repo = string.IsNullOrWhiteSpace(repo) ? null : repo;
        _mirror = mirrorDirectory;
        _store = store;
        _cache = cache;
        _archive = archive;
        _signer = signer;
        _secrets = secrets;
        _push = push;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        nodes.FleetEvent += OnFleetEvent;
        _subscription = new Unsubscribe(() => nodes.FleetEvent -= OnFleetEvent);
    }

    public bool Configured => _repo is not null;

    public string Repo => _repo ?? "";

    public CompilationCache Cache => _cache;

    /// <summary>A node's catalog from the compile cache, compiled on a miss; traced and counted (compiles or cache hits).</summary>
    public CompileResult Compile(RepositorySnapshot snapshot, string node, Compiler.Facts facts, IReadOnlyDictionary<string, string> secrets,
        string environment, IReadOnlyList<string> roles)
    {
        using var span = MasterTracing.Start("compile");
        var result = _cache.GetOrCompile(snapshot, node, facts, secrets, environment, roles, out var compiled);
        _metrics.Count(compiled ? "colabo_compiles_total" : "colabo_compile_cache_hits_total");
        MasterTracing.DescribeCompile(span, node, environment, snapshot.Commit, compiled, result);
        return result;
    }

    /// <summary>Creates or refreshes the mirror, publishes what compiles, and starts polling.</summary>
    public async Task StartAsync(TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        if (_repo is null)
        {
            return;
        }
        // An unreachable repository or a missing branch must not keep the master from serving
        // enrollment, reports and the last published catalogs: log it, show it in status, retry on poll.
        try
        {
            await FetchAsync(cancellationToken);
            foreach (var environment in await EnvironmentsAsync(cancellationToken))
            {
                try
                {
                    await DeployAsync(environment, fetch: false, cancellationToken);
                }
                catch (MasterException e)
                {
                    LogPollFailed(e.Message);
                }
            }
        }
        catch (Exception e) when (e is MasterException or RoleRepositoryException or IOException)
        {
            LogPollFailed(e.Message);
        }
        if (pollInterval > TimeSpan.Zero)
        {
            _poller = Task.Run(() => PollAsync(pollInterval, _stop.Token), CancellationToken.None);
        }
    }

    /// <summary>The snapshot an environment serves now, or null when nothing was published yet.</summary>
    public async Task<RepositorySnapshot?> PublishedAsync(string environment, CancellationToken cancellationToken)
    {
        var state = State(environment);
        string pending;
        lock (_environments)
        {
            pending = state.PendingCommit;
            if (state.Published is { } published && (pending.Length == 0 || pending == published.Commit))
            {
                return published;
            }
        }
        if (_repo is null)
        {
            return null;
        }
        var commit = pending.Length > 0
            ? pending
            : await _store.GetSettingAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, PublishedSetting, environment), cancellationToken);
        if (commit is null)
        {
            return null;
        }
        var snapshot = await SnapshotAsync(commit, cancellationToken);
        RepositorySnapshot served;
        lock (_environments)
        {
            if (state.PendingCommit == commit)
            {
                state.Published = snapshot;
                state.PublishedAt ??= _time.GetUtcNow();
                state.PendingCommit = "";
            }
            served = state.Published ??= snapshot;
        }
        ForgetSupersededCompiles();
        return served;
    }

    /// <summary>
    /// Drops the compile results of commits no environment serves any more (the previous deploy's),
    /// which would otherwise stay until the cache's capacity pushed them out.
    /// </summary>
    private void ForgetSupersededCompiles()
    {
        HashSet<string> serving;
        lock (_environments)
        {
            serving = _environments.Values
                .SelectMany(e => new[] { e.Published?.Commit ?? "", e.PendingCommit })
                .Where(c => c.Length > 0).ToHashSet(StringComparer.Ordinal);
        }
        _cache.RetainCommits(serving);
    }

    /// <summary>A snapshot of any ref or commit (for plans).</summary>
    public async Task<RepositorySnapshot> SnapshotAsync(string reference, CancellationToken cancellationToken)
    {
        var repository = await RepositoryAsync(cancellationToken);
        string commit;
        try
        {
            commit = await repository.ResolveRefAsync(reference, cancellationToken);
        }
        catch (RoleRepositoryException)
        {
            await FetchAsync(cancellationToken);
            commit = await repository.ResolveRefAsync(reference, cancellationToken);
        }
        lock (_snapshots)
        {
            if (_snapshots.TryGetValue(commit, out var cached))
            {
                return cached;
            }
        }
        var snapshot = await repository.SnapshotAsync(commit, cancellationToken);
        lock (_snapshots)
        {
            if (_snapshots.Count >= 16)
            {
                _snapshots.Clear();
            }
            _snapshots[commit] = snapshot;
        }
        return snapshot;
    }

    public Task<DeployOutcome> DeployAsync(string environment, CancellationToken cancellationToken) => DeployAsync(environment, fetch: true, cancellationToken);

    private async Task<DeployOutcome> DeployAsync(string environment, bool fetch, CancellationToken cancellationToken)
    {
        if (_repo is null)
        {
            throw new MasterException(MasterErrorKind.FailedPrecondition, "This master has no role repository; start it with --repo GIT_URL_OR_PATH.");
        }
        if (string.IsNullOrEmpty(environment) || environment.StartsWith('-') || environment.Contains("..", StringComparison.Ordinal))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, $"'{environment}' is not a valid environment (branch) name.");
        }
        await _deployGate.WaitAsync(cancellationToken);
        try
        {
            if (fetch)
            {
                await FetchAsync(cancellationToken);
            }
            var state = State(environment);
            RepositorySnapshot snapshot;
            try
            {
                snapshot = await SnapshotAsync("refs/heads/" + environment, cancellationToken);
            }
            catch (RoleRepositoryException e)
            {
                var error = new CompileError("", 0, 0, "no-branch", $"branch '{environment}' does not exist in {_repo}: {e.Message}");
                state.LastErrors = [("", error)];
                await SaveStatusAsync(state, cancellationToken);
                throw new MasterException(MasterErrorKind.NotFound, error.Message);
            }
            state.HeadCommit = snapshot.Commit;
            var current = await PublishedAsync(environment, cancellationToken);
            if (current?.Commit == snapshot.Commit)
            {
                await SaveStatusAsync(state, cancellationToken);
                return new DeployOutcome(environment, snapshot.Commit, true, [], []);
            }
            using var span = MasterTracing.Start("deploy");
            span?.SetTag("colabo.environment", environment);
            span?.SetTag("colabo.commit", snapshot.Commit);
            var outcome = await CompileAndPublishAsync(environment, state, snapshot, cancellationToken);
            await SaveStatusAsync(state, cancellationToken);
            span?.SetTag("colabo.deploy.published", outcome.Published);
            span?.SetTag("colabo.deploy.affected_nodes", outcome.AffectedNodes.Count);
            if (!outcome.Published)
            {
                span.Fail($"commit not published: {outcome.Errors.Count} compile error(s); first: {outcome.Errors[0].Error}");
            }
            return outcome;
        }
        finally
        {
            _deployGate.Release();
        }
    }

    private async Task<DeployOutcome> CompileAndPublishAsync(string environment, EnvironmentState state, RepositorySnapshot snapshot, CancellationToken cancellationToken)
    {
        var secrets = await _secrets.GetAllAsync(cancellationToken);
        var nodes = (await _store.ListNodesAsync(cancellationToken)).Where(n => n.Environment == environment).ToList();
        var errors = new List<(string Node, CompileError Error)>();
        errors.AddRange(snapshot.Roles.Errors.Select(e => ("", e)));
        // Each catalog is signed and archived as soon as it compiles, and only its hash is kept: a
        // fleet of 10,000 nodes would otherwise hold 10,000 catalogs (~50 KB of objects each) at once.
        // Archived catalogs of a commit that turns out not to compile are never published (nothing
        // refers to their hashes), so this is safe.
        var compiled = new List<(string Node, string Hash)>(nodes.Count);
        var affected = new List<string>();
        // Archive writes overlap the next compiles, a batch per store transaction and a few batches at a
        // time: one commit per catalog cost a WAL flush each on PostgreSQL (10,000 of them one after the
        // other took a minute; 16 at a time, several seconds of a deploy).
        const int ArchiveBatch = 128;
        var writes = new List<Task>();
        using var writing = new SemaphoreSlim(4);
        var batch = new List<(Contracts.V1.SignedCatalog, Contracts.V1.Catalog)>(ArchiveBatch);
        async Task ArchiveAsync(List<(Contracts.V1.SignedCatalog, Contracts.V1.Catalog)> catalogs)
        {
            try
            {
                await _archive.PutAsync(catalogs, cancellationToken);
            }
            finally
            {
                writing.Release();
            }
        }
        async Task FlushAsync()
        {
            if (batch.Count > 0)
            {
                await writing.WaitAsync(cancellationToken);
                writes.Add(ArchiveAsync(batch));
                batch = new(ArchiveBatch);
            }
        }
        // Compiling and signing are most of a deploy's work: they run on every core, a slice of nodes at a
        // time, and the results are taken in node order (errors, archive batches, the push list).
        const int Slice = 256;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        for (var start = 0; start < nodes.Count; start += Slice)
        {
            var slice = nodes.GetRange(start, Math.Min(Slice, nodes.Count - start));
            var sign = errors.Count == 0;
            var results = new (CompileResult Result, Contracts.V1.SignedCatalog? Signed)[slice.Count];
            Parallel.For(0, slice.Count, parallel, i =>
            {
                var node = slice[i];
                var result = Compile(snapshot, node.Name, FactsMapper.ToCompilerFacts(FactsMapper.FromJson(node.FactsJson)), secrets, environment, node.Roles);
                results[i] = (result, sign && result.Catalog is { } compiledCatalog ? _signer.Sign(compiledCatalog) : null);
            });
            for (var i = 0; i < slice.Count; i++)
            {
                var (node, (result, signed)) = (slice[i], results[i]);
                if (result.Catalog is { } catalog)
                {
                    if (errors.Count == 0 && signed is not null)
                    {
                        batch.Add((signed, catalog));
                        if (batch.Count == ArchiveBatch)
                        {
                            await FlushAsync();
                        }
                    }
                    compiled.Add((node.Name, catalog.ContentHash));
                    if (catalog.ContentHash != node.CatalogHash)
                    {
                        affected.Add(node.Name);
                    }
                }
                else
                {
                    errors.AddRange(result.Errors.Where(e => e.Code != "unclassified-node").Select(e => (node.Name, e)));
                }
            }
        }
        await FlushAsync();
        await Task.WhenAll(writes);
        var distinct = errors.DistinctBy(e => e.Error).ToList();
        if (distinct.Count > 0)
        {
            state.LastFailedCommit = snapshot.Commit;
            state.LastErrors = distinct;
            _metrics.Count("colabo_deploys_total", "result=\"refused\"");
            LogRefused(environment, snapshot.Commit, distinct.Count, distinct[0].Error.ToString());
            return new DeployOutcome(environment, snapshot.Commit, false, distinct, []);
        }
        lock (_environments)
        {
            state.Published = snapshot;
            state.PendingCommit = "";
            state.PublishedAt = _time.GetUtcNow();
            state.LastErrors = [];
            state.LastFailedCommit = "";
        }
        ForgetSupersededCompiles();
        await _store.SetSettingAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, PublishedSetting, environment), snapshot.Commit, cancellationToken);
        await _store.Events.PublishAsync(new ClusterEvent(ClusterEvent.CatalogChanged, "*", $"{environment} {snapshot.Commit}"), cancellationToken);
        var toPush = affected.ToHashSet(StringComparer.Ordinal);
        foreach (var (node, hash) in compiled.Where(c => toPush.Contains(c.Node)))
        {
            _push.Enqueue(new ClusterEvent(ClusterEvent.CatalogChanged, node, $"{hash} {snapshot.Commit}"));
        }
        _metrics.Count("colabo_deploys_total", "result=\"published\"");
        LogPublished(environment, snapshot.Commit, affected.Count);
        return new DeployOutcome(environment, snapshot.Commit, true, [], affected);
    }

    #region Repo status in the store (every replica answers the same)

    /// <summary>
    /// The status of every environment as the store has it (written by whichever replica fetched or
    /// compiled last), plus environments only this replica has seen so far.
    /// </summary>
    public async Task<IReadOnlyList<RepoStatusRecord>> StatusAsync(CancellationToken cancellationToken)
    {
        var stored = (await _store.ListRepoStatusesAsync(cancellationToken)).ToDictionary(s => s.Environment, StringComparer.Ordinal);
        lock (_environments)
        {
            foreach (var state in _environments.Values.Where(e => !stored.ContainsKey(e.Name)))
            {
                stored[state.Name] = ToRecord(state, null);
            }
        }
        return [.. stored.Values.OrderBy(s => s.Environment, StringComparer.Ordinal)];
    }

    private async Task SaveStatusAsync(EnvironmentState state, CancellationToken cancellationToken)
    {
        try
        {
            var previous = (await _store.ListRepoStatusesAsync(cancellationToken)).FirstOrDefault(s => s.Environment == state.Name);
            RepoStatusRecord record;
            lock (_environments)
            {
                record = ToRecord(state, previous);
            }
            await _store.SaveRepoStatusAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The deploy itself succeeded or failed on its own merits; a status that could not be
            // written is shown by this replica from memory until the next write.
            LogStatusNotSaved(state.Name, e.Message);
        }
    }

    private RepoStatusRecord ToRecord(EnvironmentState state, RepoStatusRecord? previous) => new()
    {
        Environment = state.Name,
        // A replica that has not loaded the published commit yet must not erase what another wrote.
        PublishedCommit = state.Published?.Commit ?? previous?.PublishedCommit ?? "",
        PublishedAt = state.Published is null ? previous?.PublishedAt : state.PublishedAt ?? previous?.PublishedAt,
        HeadCommit = state.HeadCommit,
        // An environment first seen after a fetch was still fetched by it.
        LastFetchAt = state.LastFetchAt ?? _lastFetchAt ?? previous?.LastFetchAt,
        LastFailedCommit = state.LastFailedCommit,
        Errors = [.. state.LastErrors.Select(e => new RepoCompileError(e.Node, e.Error.File, e.Error.Line, e.Error.Column, e.Error.Code, e.Error.Message))],
        UpdatedAt = _time.GetUtcNow(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Environment {Environment}: the repo status could not be saved in the store: {Reason}")]
    private partial void LogStatusNotSaved(string environment, string reason);

    #endregion

    private EnvironmentState State(string environment)
    {
        lock (_environments)
        {
            if (!_environments.TryGetValue(environment, out var state))
            {
                state = new EnvironmentState(environment);
                _environments[environment] = state;
            }
            return state;
        }
    }

    private async Task<IReadOnlyList<string>> EnvironmentsAsync(CancellationToken cancellationToken)
    {
        var environments = new SortedSet<string>(StringComparer.Ordinal) { "main" };
        foreach (var node in await _store.ListNodesAsync(cancellationToken))
        {
            environments.Add(node.Environment);
        }
        return [.. environments];
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await FetchAsync(stop);
                    foreach (var environment in await EnvironmentsAsync(stop))
                    {
                        await DeployAsync(environment, fetch: false, stop);
                    }
                }
                catch (Exception e) when (e is MasterException or RoleRepositoryException or IOException or InvalidOperationException)
                {
                    LogPollFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        await _gitGate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(Path.Combine(_mirror, "refs")))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_mirror)!);
                var temp = _mirror + ".partial";
                if (Directory.Exists(temp))
                {
                    Directory.Delete(temp, recursive: true);
                }
                var source = Directory.Exists(_repo) ? Path.GetFullPath(_repo!) : _repo!;
                var clone = await GitCli.RunAsync(null, ["clone", "--mirror", "--quiet", source, temp], cancellationToken);
                if (clone.ExitCode != 0)
                {
                    throw new MasterException(MasterErrorKind.Unavailable, $"Cannot clone the role repository {_repo}: {clone.Error.Trim()}");
                }
                Directory.Move(temp, _mirror);
            }
            else
            {
                var fetch = await GitCli.RunAsync(_mirror, ["fetch", "--prune", "--quiet", "origin"], cancellationToken);
                if (fetch.ExitCode != 0)
                {
                    throw new MasterException(MasterErrorKind.Unavailable, $"Cannot fetch the role repository {_repo}: {fetch.Error.Trim()}");
                }
            }
            var now = _time.GetUtcNow();
            lock (_environments)
            {
                _lastFetchAt = now;
                foreach (var state in _environments.Values)
                {
                    state.LastFetchAt = now;
                }
            }
        }
        finally
        {
            _gitGate.Release();
        }
    }

    private async Task<RoleRepository> RepositoryAsync(CancellationToken cancellationToken)
    {
        if (_repository is not null)
        {
            return _repository;
        }
        if (_repo is null)
        {
            throw new MasterException(MasterErrorKind.FailedPrecondition, "This master has no role repository; start it with --repo GIT_URL_OR_PATH.");
        }
        if (!Directory.Exists(Path.Combine(_mirror, "refs")))
        {
            await FetchAsync(cancellationToken);
        }
        return _repository = await RoleRepository.OpenAsync(_mirror, cancellationToken);
    }

    /// <summary>Another replica (or this one) published a commit: serve it here too.</summary>
    private void OnFleetEvent(ClusterEvent clusterEvent)
    {
        if (clusterEvent.Kind != ClusterEvent.CatalogChanged || _repo is null)
        {
            return;
        }
        var parts = clusterEvent.Payload.Split(' ', 2);
        if (parts.Length != 2)
        {
            return;
        }
        var state = State(parts[0]);
        lock (_environments)
        {
            if (state.Published?.Commit == parts[1])
            {
                return;
            }
            // Set before any per-node push of this deploy is delivered (events arrive in order), so a
            // node told "catalog changed" is never served the previous commit by this replica.
            state.PendingCommit = parts[1];
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await PublishedAsync(parts[0], _stop.Token);
            }
            catch (Exception e) when (e is MasterException or RoleRepositoryException or OperationCanceledException)
            {
                LogPollFailed(e.Message);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _stop.CancelAsync();
        if (_poller is not null)
        {
            await _poller;
        }
        _stop.Dispose();
        _deployGate.Dispose();
        _gitGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Environment {Environment}: commit {Commit} was not published, {Count} compile error(s); first: {First}")]
    private partial void LogRefused(string environment, string commit, int count, string first);

    [LoggerMessage(Level = LogLevel.Information, Message = "Environment {Environment}: published commit {Commit}, {Affected} node(s) to push")]
    private partial void LogPublished(string environment, string commit, int affected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Role repository refresh failed: {Reason}")]
    private partial void LogPollFailed(string reason);

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
