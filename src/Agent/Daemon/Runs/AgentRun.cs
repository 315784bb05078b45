using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Agent.Daemon.Catalogs;
using Colabo.Config.Agent.Daemon.Facts;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;
using Colabo.Config.Modules;
using Colabo.Config.Rpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>
/// One run, as DESIGN.md "Agent run semantics" says: lock, facts, catalog (with the hash held;
/// the verified cache when unchanged or offline), converge, stream each outcome to the master
/// while writing it ahead to the spool, and keep the spool when the stream breaks.
/// </summary>
public sealed class AgentRun(AgentState state, TargetRoot root, TimeProvider time, AgentLog log)
{
    private readonly ReportSpool _spool = new(state.SpoolDirectory);
    private readonly CatalogCache _cache = new(state);

    public int? Parallelism { get; init; }

    /// <summary>Called with each outcome as it completes, after it went to the report stream (the `run` command prints it).</summary>
    public Action<ResourceOutcome>? OnOutcome { get; init; }

    /// <summary>Runs once. <paramref name="connection"/> may be null (offline): the cache is used and the report spooled.</summary>
    public async Task<RunResult> ExecuteAsync(MasterConnection? connection, X509Certificate2 ca, string nodeName, RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(request);
        using var runLock = RunLock.TryAcquire(state.LockFile, out var holder)
            ?? throw new RunLockedException($"another run holds {state.LockFile} (pid {holder?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}); try again when it has finished");
        if (runLock.TookOverFrom is { } stale)
        {
            log.Warning($"took over the run lock left by pid {stale}, which is no longer running");
        }

        var runId = Guid.NewGuid().ToString("D");
        var startedAt = time.GetUtcNow();
        log.Info($"run {runId} starting ({request.Reason}, {(request.Mode == RunMode.Noop ? "noop" : "enforce")})");
        var (signed, catalog, source, error) = await CatalogAsync(connection, ca, nodeName, cancellationToken);
        var start = new RunStart
        {
            RunId = runId,
            Mode = request.Mode,
            CatalogHash = catalog?.ContentHash ?? string.Empty,
            Commit = catalog?.Commit ?? string.Empty,
            StartedAt = Timestamp.FromDateTimeOffset(startedAt),
        };

        await using var reporter = new RunReporter(_spool.Begin(runId), connection, log, cancellationToken);
        await reporter.SendAsync(new ReportMessage { Start = start });
        RunSummary summary;
        if (catalog is null)
        {
            summary = new RunSummary
            {
                RunId = runId,
                Mode = request.Mode,
                StartedAt = start.StartedAt,
                FinishedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                Error = error ?? "no catalog",
            };
            log.Error($"run {runId} could not start: {summary.Error}");
        }
        else
        {
            _ = signed;
            var options = new RunOptions
            {
                Mode = request.Mode,
                RunId = runId,
                MaxParallelism = Parallelism ?? new RunOptions().MaxParallelism,
                OnOutcome = async (outcome, _) =>
                {
                    await reporter.SendAsync(new ReportMessage { Outcome = outcome });
                    OnOutcome?.Invoke(outcome);
                },
            };
            var engine = new ConvergenceEngine(AgentModules.Registry(nodeName), ModuleContext.ForRoot(root) with { Time = time });
            var report = await engine.RunAsync(catalog, options, cancellationToken);
            summary = report.Summary.Clone();
            summary.RunId = runId;
            summary.Mode = request.Mode;
            summary.CatalogHash = catalog.ContentHash;
            summary.Commit = catalog.Commit;
            summary.StartedAt ??= start.StartedAt;
            summary.FinishedAt ??= Timestamp.FromDateTimeOffset(time.GetUtcNow());
            log.Info($"run {runId} finished: {summary.Total} resources, {summary.Changed} changed, {summary.WouldChange} would change, {summary.Failed} failed, {summary.Skipped} skipped, {summary.InSync} in sync (catalog {Short(catalog.ContentHash)}{(source == CatalogSource.CacheOffline ? ", from cache: master unreachable" : string.Empty)})");
        }

        await reporter.SendAsync(new ReportMessage { End = summary });
        var reported = await reporter.FinishAsync(runId, _spool);
        AgentState.WriteAtomically(state.LastRunFile, summary.ToByteArray());
        return new RunResult(summary, source, reported);
    }

    /// <summary>Resends every spooled run; returns how many the master acknowledged.</summary>
    public async Task<int> ResendSpoolAsync(MasterConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sent = 0;
        foreach (var runId in _spool.PendingRunIds())
        {
            var messages = _spool.Read(runId);
            if (messages.Count == 0)
            {
                _spool.Complete(runId);
                continue;
            }

            using var call = connection.Client.Report(new CallOptions(CancellationToken: cancellationToken));
            // The whole run is at hand: queue every message and let the half-close send them in one flush.
            call.RequestStream.WriteOptions = WriteOptions.Buffered;
            foreach (var message in messages)
            {
                await call.RequestStream.WriteAsync(message, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
            var ack = await call.ResponseAsync;
            _spool.Complete(runId);
            sent++;
            log.Info($"resent spooled report of run {runId}{(ack.Duplicate ? " (the master already had it)" : string.Empty)}");
        }

        return sent;
    }

    private async Task<(SignedCatalog? Signed, Catalog? Catalog, CatalogSource Source, string? Error)> CatalogAsync(MasterConnection? connection, X509Certificate2 ca, string nodeName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (connection is not null)
        {
            var facts = FactsGatherer.Gather(root);
            try
            {
                var held = _cache.CachedHash();
                var response = await connection.Client.GetCatalogAsync(new GetCatalogRequest { Facts = facts, CurrentHash = held }, CallOptions.WithTimeout(TimeSpan.FromSeconds(60), cancellationToken));
                Scheduling.RunInterval.Store(state, response.RunIntervalSeconds);
                if (response.ResultCase == GetCatalogResponse.ResultOneofCase.Unchanged)
                {
                    try
                    {
                        if (_cache.Load(ca, nodeName, now) is { } cached)
                        {
                            return (cached.Signed, cached.Catalog, CatalogSource.Unchanged, null);
                        }
                    }
                    catch (CatalogRejectedException e)
                    {
                        log.Warning($"the cached catalog was refused ({e.Message}); asking the master for the full catalog");
                    }

                    response = await connection.Client.GetCatalogAsync(new GetCatalogRequest { Facts = facts }, CallOptions.WithTimeout(TimeSpan.FromSeconds(60), cancellationToken));
                }

                if (response.ResultCase != GetCatalogResponse.ResultOneofCase.Catalog)
                {
                    return (null, null, CatalogSource.None, "the master answered without a catalog");
                }

                try
                {
                    var catalog = CatalogVerifier.Verify(response.Catalog, ca, nodeName, now);
                    _cache.Store(response.Catalog);
                    return (response.Catalog, catalog, CatalogSource.Master, null);
                }
                catch (CatalogRejectedException e)
                {
                    // Never fall back to the cache here: a master sending bad catalogs must be noticed.
                    return (null, null, CatalogSource.None, $"refused the catalog from the master: {e.Message}");
                }
            }
            catch (RpcException e) when (IsUnreachable(e.StatusCode))
            {
                log.Warning($"the master is unreachable ({e.StatusCode}: {e.Status.Detail}); using the cached catalog");
            }
        }

        try
        {
            return _cache.Load(ca, nodeName, now) is { } offline
                ? (offline.Signed, offline.Catalog, CatalogSource.CacheOffline, null)
                : (null, null, CatalogSource.None, "the master is unreachable and there is no cached catalog");
        }
        catch (CatalogRejectedException e)
        {
            return (null, null, CatalogSource.None, $"the master is unreachable and the cached catalog was refused: {e.Message}");
        }
    }

    internal static bool IsUnreachable(StatusCode code) => code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Unknown or StatusCode.Internal;

    private static string Short(string hash) => hash.Length > 19 ? hash[..19] : hash;
}
