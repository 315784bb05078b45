using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Agent.Daemon.Catalogs;

/// <summary>The last signed catalog on disk. What is read back is verified again: a tampered cache is refused.</summary>
public sealed class CatalogCache(AgentState state)
{
    public bool Exists => File.Exists(state.CatalogCacheFile);

    public void Store(SignedCatalog signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        state.EnsureCreated();
        AgentState.WriteAtomically(state.CatalogCacheFile, signed.ToByteArray());
    }

    /// <summary>The cached catalog, verified; null when there is none; throws when it fails verification.</summary>
    public (SignedCatalog Signed, Catalog Catalog)? Load(X509Certificate2 ca, string? node, DateTimeOffset now)
    {
        if (!Exists)
        {
            return null;
        }

        SignedCatalog signed;
        try
        {
            signed = SignedCatalog.Parser.ParseFrom(File.ReadAllBytes(state.CatalogCacheFile));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CatalogRejectedException($"the cached catalog {state.CatalogCacheFile} is corrupt: {e.Message}");
        }

        return (signed, CatalogVerifier.Verify(signed, ca, node, now));
    }

    /// <summary>The content hash of the cached catalog without verifying it (only used to ask "changed?").</summary>
    public string CachedHash()
    {
        try
        {
            return Exists ? Catalog.Parser.ParseFrom(SignedCatalog.Parser.ParseFrom(File.ReadAllBytes(state.CatalogCacheFile)).Catalog).ContentHash : string.Empty;
        }
        catch (InvalidProtocolBufferException)
        {
            return string.Empty;
        }
    }
}
