using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>A throwaway certificate authority for tests (EC P-256), issuing server and client certificates.</summary>
public sealed class TestPki
{
    private TestPki(X509Certificate2 authority)
    {
        Authority = authority;
    }

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The CA certificate without its key, as clients and servers receive it.</summary>
    public X509Certificate2 AuthorityPublic => X509CertificateLoader.LoadCertificate(Authority.RawData);

    public static TestPki Create(string name = "Colabo Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));
        return new TestPki(Reload(ca));
    }

    public X509Certificate2 IssueServer(string dnsName = "localhost") =>
        Issue(dnsName, serverAuth: true, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), [dnsName], [IPAddress.Loopback]);

    public X509Certificate2 IssueClient(string commonName, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string[]? dnsNames = null) =>
        Issue(commonName, serverAuth: false, notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(30), dnsNames ?? [commonName], []);

    private X509Certificate2 Issue(string commonName, bool serverAuth, DateTimeOffset notBefore, DateTimeOffset notAfter, string[] dnsNames, IPAddress[] ips)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            san.AddDnsName(dns);
        }
        foreach (var ip in ips)
        {
            san.AddIpAddress(ip);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Authority, notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>Round-trips through PKCS#12 so the private key is usable by SslStream on every platform.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);

    public static string ToPem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    public static string KeyToPem(X509Certificate2 certificate) =>
        certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
}
