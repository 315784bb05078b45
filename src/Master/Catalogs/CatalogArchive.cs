using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Drift;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Catalogs;

/// <summary>
/// Signed catalogs by content hash: kept in the store (so every replica and a restarted master can
/// serve and classify against them) with two bounded in-memory caches in front. Catalogs may carry
/// secret values, so they are sealed with the secrets key before they reach the store.
/// <para>
/// The cache of whole catalogs is small on purpose: a parsed 50-resource catalog is ~50 KB of objects,
/// and with 10,000 nodes every catalog differs, so a large cache would cost more memory than the
/// connections themselves; only plans, the dashboard and serving a catalog by hash read it. Reports are classified against <see cref="CatalogDigests"/> instead (~2 KB
/// each), kept for as many catalogs as a large fleet has nodes, and made when a catalog is archived: a
/// node's first report on a new catalog then costs no store read and no parse.
/// </para>
/// </summary>
public sealed class CatalogArchive(IConfigStore store, SecretCipher cipher, int capacity = 256, int digestCapacity = 16_384)
{
    private readonly InsertionOrderedCache<(SignedCatalog Signed, Catalog Catalog)> _cache = new(capacity);
    private readonly InsertionOrderedCache<CatalogDigests> _digests = new(digestCapacity);

    /// <summary>
    /// Archives one catalog (compiled for one node's check-in) and keeps it whole: it is served at once. A
    /// deploy's thousands go through the batch put and are not kept whole: agents fetch them over the next
    /// seconds, and 256 cached of 10,000 would save little and keep ~12 MiB of objects.
    /// </summary>
    public async Task PutAsync(SignedCatalog signed, Catalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(catalog);
        await PutAsync([(signed, catalog)], cancellationToken);
        _cache.Set(catalog.ContentHash, (signed, catalog));
    }

    /// <summary>Archives many catalogs in one store transaction (a deploy's, a batch at a time); those with known digests are stored already.</summary>
    public async Task PutAsync(IReadOnlyList<(SignedCatalog Signed, Catalog Catalog)> catalogs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalogs);
        var fresh = catalogs.Where(c => !_cache.ContainsKey(c.Catalog.ContentHash) && !_digests.ContainsKey(c.Catalog.ContentHash)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        await store.PutCatalogsAsync(
            [.. fresh.Select(c => KeyValuePair.Create(c.Catalog.ContentHash, cipher.Seal(Google.Protobuf.MessageExtensions.ToByteArray(c.Signed))))], cancellationToken);
        foreach (var (signed, catalog) in fresh)
        {
            _digests.Set(catalog.ContentHash, CatalogDigests.FromBytes(signed.Catalog.Span));
        }
    }

    /// <summary>
    /// What classifying a report against the catalog needs: from the digests cache, else from the whole
    /// catalog's cache, else from the store (the signed bytes only; the catalog itself is not parsed).
    /// </summary>
    public async ValueTask<CatalogDigests?> FindDigestsAsync(string hash, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(hash))
        {
            return null;
        }
        if (_digests.TryGetValue(hash, out var digests))
        {
            return digests;
        }
        var signed = await FindSignedAsync(hash, cancellationToken);
        if (signed is null)
        {
            return null;
        }
        digests = CatalogDigests.FromBytes(signed.Catalog.Span);
        _digests.Set(hash, digests);
        return digests;
    }

    public async ValueTask<(SignedCatalog Signed, Catalog Catalog)?> FindAsync(string hash, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(hash))
        {
            return null;
        }
        if (_cache.TryGetValue(hash, out var cached))
        {
            return cached;
        }
        var bytes = await store.GetCatalogAsync(hash, cancellationToken);
        if (bytes is null)
        {
            return null;
        }
        var signed = SignedCatalog.Parser.ParseFrom(cipher.Open(bytes));
        var catalog = Catalog.Parser.ParseFrom(signed.Catalog);
        _cache.Set(hash, (signed, catalog));
        return (signed, catalog);
    }

    /// <summary>
    /// The signed catalog only, as served to its node: from the cache, or from the store without parsing the
    /// catalog inside it (and without caching it: serving needs the bytes, not the objects).
    /// </summary>
    public async ValueTask<SignedCatalog?> FindSignedAsync(string hash, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(hash))
        {
            return null;
        }
        if (_cache.TryGetValue(hash, out var cached))
        {
            return cached.Signed;
        }
        var bytes = await store.GetCatalogAsync(hash, cancellationToken);
        return bytes is null ? null : SignedCatalog.Parser.ParseFrom(cipher.Open(bytes));
    }
}
