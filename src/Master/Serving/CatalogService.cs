using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Metrics;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Roles;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Telemetry;

namespace Colabo.Config.Master.Serving;

/// <summary>
/// Answers a node's catalog request: "unchanged" straight from the compile cache when the agent
/// already holds the current catalog (no compile), otherwise the compiled, signed catalog.
/// </summary>
public sealed class CatalogService(NodeDirectory nodes, RoleSource roles, CatalogArchive archive, CatalogSigner signer, SecretsVault secrets, MasterMetrics metrics, uint runIntervalSeconds)
{
    public async Task<GetCatalogResponse> GetAsync(string nodeName, GetCatalogRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = nodes.Get(nodeName);
        var node = await actor.GetAsync(cancellationToken)
            ?? throw new MasterException(MasterErrorKind.NotFound, $"Node {nodeName} is not enrolled.");
        var snapshot = await roles.PublishedAsync(node.Environment, cancellationToken)
            ?? throw new MasterException(MasterErrorKind.FailedPrecondition,
                $"No catalog is published for environment '{node.Environment}' yet; `colabo status` shows why.");
        var factsMessage = request.Facts ?? FactsMapper.FromJson(node.FactsJson);
        var facts = FactsMapper.ToCompilerFacts(factsMessage);
        var secretValues = await secrets.GetAllAsync(cancellationToken);
        metrics.Count("colabo_checkins_total");
        var factsJson = request.Facts is null ? null : FactsMapper.ToJson(request.Facts);
        if (factsJson == node.FactsJson)
        {
            factsJson = null;
        }
        // One lookup answers both: "unchanged" when the agent holds the hash these inputs compiled to, and
        // otherwise which archived catalog to serve.
        var known = roles.Cache.KnownHash(snapshot.Commit, nodeName, facts, secretValues, node.Environment, node.Roles);
        if (request.CurrentHash.Length > 0 && string.Equals(known, request.CurrentHash, StringComparison.Ordinal))
        {
            metrics.Count("colabo_checkins_unchanged_total");
            await actor.RecordCheckInAsync(factsJson, request.CurrentHash, cancellationToken);
            return new GetCatalogResponse { Unchanged = true, CatalogHash = request.CurrentHash, RunIntervalSeconds = runIntervalSeconds };
        }
        // Compiled before but no longer held whole by the compile cache (the master keeps the newest 64 whole):
        // a deploy archived it, so serve it by hash rather than compiling it again.
        if (known is not null && await archive.FindSignedAsync(known, cancellationToken) is { } archived)
        {
            metrics.Count("colabo_compile_cache_hits_total");
            await actor.RecordCheckInAsync(factsJson, known, cancellationToken);
            return new GetCatalogResponse { Catalog = archived, CatalogHash = known, RunIntervalSeconds = runIntervalSeconds };
        }
        var result = roles.Compile(snapshot, nodeName, facts, secretValues, node.Environment, node.Roles);
        if (result.Catalog is not { } catalog)
        {
            var first = result.Errors.Take(5).Select(e => e.ToString());
            throw new MasterException(MasterErrorKind.FailedPrecondition,
                $"The catalog of {nodeName} does not compile at {snapshot.Commit[..Math.Min(12, snapshot.Commit.Length)]}; keep the last good one. {string.Join("; ", first)}");
        }
        await actor.RecordCheckInAsync(factsJson, catalog.ContentHash, cancellationToken);
        if (catalog.ContentHash == request.CurrentHash)
        {
            metrics.Count("colabo_checkins_unchanged_total");
            return new GetCatalogResponse { Unchanged = true, CatalogHash = catalog.ContentHash, RunIntervalSeconds = runIntervalSeconds };
        }
        var signed = await archive.FindSignedAsync(catalog.ContentHash, cancellationToken);
        if (signed is null)
        {
            signed = signer.Sign(catalog);
            await archive.PutAsync(signed, catalog, cancellationToken);
        }
        return new GetCatalogResponse { Catalog = signed, CatalogHash = catalog.ContentHash, RunIntervalSeconds = runIntervalSeconds };
    }
}
