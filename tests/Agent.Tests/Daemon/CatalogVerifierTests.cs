using Colabo.Config.Agent.Daemon;
using Colabo.Config.Agent.Daemon.Catalogs;
using Colabo.Config.Agent.Tests.Support;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class CatalogVerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void A_catalog_signed_by_the_master_is_accepted()
    {
        using var keys = new TestSigning();
        var signed = keys.Signer.Sign(TestSigning.FileCatalog("web-01", "/etc/motd", "hello\n"));

        var catalog = CatalogVerifier.Verify(signed, keys.Ca.Certificate, "web-01", Now);

        Assert.Equal("file:/etc/motd", catalog.Resources.Single().Id);
    }

    [Fact]
    public void A_tampered_catalog_is_refused()
    {
        using var keys = new TestSigning();
        var signed = keys.Signer.Sign(TestSigning.FileCatalog("web-01", "/etc/motd", "hello\n"));
        var evil = TestSigning.FileCatalog("web-01", "/etc/motd", "owned\n");
        signed.Catalog = evil.ToByteString();

        var error = Assert.Throws<CatalogRejectedException>(() => CatalogVerifier.Verify(signed, keys.Ca.Certificate, "web-01", Now));

        Assert.Contains("signature does not match", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsigned_catalog_is_refused()
    {
        using var keys = new TestSigning();
        var signed = new SignedCatalog { Catalog = TestSigning.FileCatalog("web-01", "/etc/motd", "x").ToByteString(), Algorithm = CatalogVerifier.Algorithm };

        var error = Assert.Throws<CatalogRejectedException>(() => CatalogVerifier.Verify(signed, keys.Ca.Certificate, "web-01", Now));

        Assert.Contains("not signed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_signed_under_another_ca_is_refused()
    {
        using var ours = new TestSigning("our CA");
        using var theirs = new TestSigning("their CA");
        var signed = theirs.Signer.Sign(TestSigning.FileCatalog("web-01", "/etc/motd", "x"));

        var error = Assert.Throws<CatalogRejectedException>(() => CatalogVerifier.Verify(signed, ours.Ca.Certificate, "web-01", Now));

        Assert.Contains("does not chain to the master CA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_for_another_node_is_refused()
    {
        using var keys = new TestSigning();
        var signed = keys.Signer.Sign(TestSigning.FileCatalog("db-01", "/etc/motd", "x"));

        var error = Assert.Throws<CatalogRejectedException>(() => CatalogVerifier.Verify(signed, keys.Ca.Certificate, "web-01", Now));

        Assert.Contains("for node 'db-01'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tampered_cache_is_refused_when_read_back()
    {
        using var dir = new TempDir();
        using var keys = new TestSigning();
        var state = new AgentState(dir.Path);
        var cache = new CatalogCache(state);
        cache.Store(keys.Signer.Sign(TestSigning.FileCatalog("web-01", "/etc/motd", "hello\n")));
        Assert.NotNull(cache.Load(keys.Ca.Certificate, "web-01", Now));
        var bytes = File.ReadAllBytes(state.CatalogCacheFile);
        var at = Array.IndexOf(bytes, (byte)'h');
        bytes[at] = (byte)'j';
        File.WriteAllBytes(state.CatalogCacheFile, bytes);

        Assert.Throws<CatalogRejectedException>(() => cache.Load(keys.Ca.Certificate, "web-01", Now));
    }
}
