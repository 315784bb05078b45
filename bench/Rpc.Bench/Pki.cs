using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Rpc.Bench;

/// <summary>A throwaway CA with a server and a client certificate, written as PEM for the peers.</summary>
internal sealed class Pki(X509Certificate2 authority, X509Certificate2 server, X509Certificate2 client)
{
    public X509Certificate2 Authority { get; } = authority;

    public X509Certificate2 Server { get; } = server;

    public X509Certificate2 Client { get; } = client;

    public X509Certificate2 AuthorityPublic => X509CertificateLoader.LoadCertificate(Authority.RawData);

    public static Pki Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Bench CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = Reload(caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30)));
        return new Pki(ca, Issue(ca, "localhost", "1.3.6.1.5.5.7.3.1"), Issue(ca, "bench-node", "1.3.6.1.5.5.7.3.2"));
    }

    public static Pki Load(string dir) => new(
        X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dir, "ca.crt")),
        Reload(X509Certificate2.CreateFromPemFile(Path.Combine(dir, "server.crt"), Path.Combine(dir, "server.key"))),
        Reload(X509Certificate2.CreateFromPemFile(Path.Combine(dir, "client.crt"), Path.Combine(dir, "client.key"))));

    public string WriteDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("colabo-rpc-bench-").FullName;
        File.WriteAllText(Path.Combine(dir, "ca.crt"), Authority.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "server.crt"), Server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "server.key"), Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "client.crt"), Client.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "client.key"), Client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return dir;
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string cn, string eku)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var cert = request.Create(ca, now.AddHours(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(12));
        using var withKey = cert.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    private static X509Certificate2 Reload(X509Certificate2 c) => X509CertificateLoader.LoadPkcs12(c.Export(X509ContentType.Pkcs12), null);
}
