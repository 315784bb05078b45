using Colabo.Config.Rpc.Server;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>Ready-made mutual-TLS settings for one test CA.</summary>
public sealed class MutualTls
{
    public MutualTls()
    {
        Pki = TestPki.Create();
        ServerCertificate = Pki.IssueServer();
        ClientCertificate = Pki.IssueClient("node-1.example.org");
    }

    public TestPki Pki { get; }

    public System.Security.Cryptography.X509Certificates.X509Certificate2 ServerCertificate { get; }

    public System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCertificate { get; }

    public RpcServerOptions ServerOptions(IClientCertificateRevocationCheck? revocation = null) => new()
    {
        ServerCertificate = ServerCertificate,
        ClientCertificateAuthority = Pki.AuthorityPublic,
        RevocationCheck = revocation,
        AnonymousMethods = new HashSet<string>(StringComparer.Ordinal) { "grpc.health.v1.Health" },
    };

    public RpcChannelOptions ClientOptions(System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null) => new()
    {
        TrustedCertificateAuthority = Pki.AuthorityPublic,
        ClientCertificate = clientCertificate ?? ClientCertificate,
    };
}
