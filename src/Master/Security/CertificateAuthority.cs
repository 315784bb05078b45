using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Master.Security;

/// <summary>
/// The master's own CA (EC P-256). It signs node certificates for CSRs whose subject it ignores
/// (the name comes from the approved enrollment), admin/viewer certificates, the catalog signing
/// certificate and the replicas' TLS server certificates.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    public CertificateAuthority(X509Certificate2 certificate, ECDsa key, TimeProvider time)
    {
        Certificate = certificate;
        _key = key;
        _time = time;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the CA certificate (lower-case hex), what cloud-init pins.</summary>
    public string Fingerprint { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public string KeyPem => _key.ExportPkcs8PrivateKeyPem();

    public static CertificateAuthority Create(string commonName, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        var certificate = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
        return new CertificateAuthority(certificate, key, time);
    }

    public static CertificateAuthority FromPem(string certificatePem, string keyPem, TimeProvider time)
    {
        var certificate = X509Certificate2.CreateFromPem(certificatePem);
        var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        using var publicKey = certificate.GetECDsaPublicKey() ?? throw new InvalidDataException("The CA certificate has no EC public key.");
        if (!publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new InvalidDataException("The CA key does not belong to the CA certificate.");
        }
        return new CertificateAuthority(certificate, key, time);
    }

    /// <summary>Signs a CSR for <paramref name="subject"/>; the CSR's own subject is ignored.</summary>
    /// <exception cref="InvalidCsrException">The CSR is malformed, badly signed or uses a weak key.</exception>
    public IssuedCertificate SignRequest(string csrPem, string subject, CertificateKind kind, TimeSpan lifetime)
    {
        CertificateRequest csr;
        try
        {
            csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidCsrException($"The certificate signing request is not a valid PEM PKCS#10 request: {e.Message}");
        }
        CheckKeyStrength(csr.PublicKey);
        return Issue(csr.PublicKey, subject, kind, lifetime, []);
    }

    /// <summary>Issues a certificate for a key pair the CA generates (initial admin credential, server, signing).</summary>
    public X509Certificate2 IssueWithNewKey(string subject, CertificateKind kind, TimeSpan lifetime, IReadOnlyList<string> hostNames, out IssuedCertificate issued)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=x"), key, HashAlgorithmName.SHA256);
        issued = Issue(request.PublicKey, subject, kind, lifetime, hostNames);
        using var withKey = issued.Certificate.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private IssuedCertificate Issue(PublicKey publicKey, string subject, CertificateKind kind, TimeSpan lifetime, IReadOnlyList<string> hostNames)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(subject);
        name.AddOrganizationalUnitName(kind.ToOu());
        name.AddOrganizationName("Colabo Config");
        var request = new CertificateRequest(name.Build(), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = kind == CertificateKind.Signing ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        var eku = new OidCollection();
        if (kind == CertificateKind.Server)
        {
            eku.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }
        else if (kind == CertificateKind.Signing)
        {
            eku.Add(new Oid("1.3.6.1.5.5.7.3.3"));
        }
        else
        {
            eku.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        }
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(eku, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri($"urn:colabo:{kind.ToOu()}:{Uri.EscapeDataString(subject)}"));
        foreach (var host in hostNames)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(host);
            }
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = _time.GetUtcNow();
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x10;
        var notAfter = now.Add(lifetime);
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter.ToUniversalTime();
        }
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), notAfter, serial);
        return new IssuedCertificate(X509CertificateLoader.LoadCertificate(issued.RawData), kind, subject);
    }

    /// <summary>True when <paramref name="certificate"/> chains to this CA alone and is within its dates.</summary>
    public bool Verifies(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate);
    }

    private static void CheckKeyStrength(PublicKey key)
    {
        using var ec = key.GetECDsaPublicKey();
        if (ec is not null)
        {
            if (ec.KeySize < 256)
            {
                throw new InvalidCsrException($"EC keys must be at least 256 bits; the request has {ec.KeySize}.");
            }
            return;
        }
        using var rsa = key.GetRSAPublicKey();
        if (rsa is not null)
        {
            if (rsa.KeySize < 2048)
            {
                throw new InvalidCsrException($"RSA keys must be at least 2048 bits; the request has {rsa.KeySize}.");
            }
            return;
        }
        throw new InvalidCsrException("The request's key must be EC (P-256 or larger) or RSA (2048 bits or more).");
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
