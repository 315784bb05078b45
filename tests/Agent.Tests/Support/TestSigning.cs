using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Security;

namespace Colabo.Config.Agent.Tests.Support;

/// <summary>The master's real CA and catalog signer, so the agent is tested against what the master produces.</summary>
public sealed class TestSigning : IDisposable
{
    public TestSigning(string name = "test CA")
    {
        Ca = CertificateAuthority.Create(name, TimeProvider.System);
        var signing = Ca.IssueWithNewKey("catalog-signer", CertificateKind.Signing, TimeSpan.FromDays(30), [], out _);
        Signer = new CatalogSigner(signing);
    }

    public CertificateAuthority Ca { get; }

    public CatalogSigner Signer { get; }

    public static Catalog FileCatalog(string node, string path, string content)
    {
        var catalog = new Catalog { Node = node, Environment = "main", Commit = new string('a', 40), ContentHash = "sha256:" + new string('1', 64) };
        catalog.Resources.Add(new Resource { Id = $"file:{path}", Kind = "file", Name = path, File = new FileSpec { Path = path, Content = content, Mode = "0644" } });
        return catalog;
    }

    public void Dispose()
    {
        Signer.Dispose();
        Ca.Dispose();
    }
}
