using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Catalogs;

/// <summary>
/// Signed catalogs by content hash: kept in the store (so every replica and a restarted master can
/// serve and classify against them) with a bounded in-memory cache in front. Catalogs may carry
/// secret values, so they are sealed with the secrets key before they reach the store. The cache is
/// small on purpose: a parsed 50-resource catalog is ~50 KB of objects, and with 10,000 nodes every
/// catalog differs, so a large cache would cost more memory than the connections themselves.
/// </summary>
public sealed class CatalogArchive(IConfigStore store, SecretCipher cipher, int capacity = 1024)
{
    private readonly ConcurrentDictionary<string, (SignedCatalog Signed, Catalog Catalog)> _cache = new(StringComparer.Ordinal);

    public async Task PutAsync(SignedCatalog signed, Catalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(catalog);
        if (_cache.ContainsKey(catalog.ContentHash))
        {
            return;
        }
        await store.PutCatalogAsync(catalog.ContentHash, cipher.Seal(Google.Protobuf.MessageExtensions.ToByteArray(signed)), cancellationToken);
        Remember(catalog.ContentHash, signed, catalog);
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
        Remember(hash, signed, catalog);
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

    private void Remember(string hash, SignedCatalog signed, Catalog catalog)
    {
        if (_cache.Count >= capacity)
        {
            // Crude but bounded: drop an arbitrary entry; the store still has it.
            foreach (var key in _cache.Keys.Take(Math.Max(1, capacity / 8)))
            {
                _cache.TryRemove(key, out _);
            }
        }
        _cache[hash] = (signed, catalog);
    }
}
