using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Master.Security;

/// <summary>
/// Signs catalogs: ECDSA P-256 over SHA-256 of the serialized Catalog bytes, IEEE P1363 encoding,
/// with a signing certificate chained to the master CA.
/// </summary>
public sealed class CatalogSigner : IDisposable
{
    public const string Algorithm = "ecdsa-p256-sha256";
    private readonly ECDsa _key;
    private readonly string _certificatePem;

    public CatalogSigner(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("The signing certificate needs its EC private key.", nameof(certificate));
        Certificate = certificate;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        _certificatePem = certificate.ExportCertificatePem();
    }

    public X509Certificate2 Certificate { get; }

    public string KeyId { get; }

    public SignedCatalog Sign(Catalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var bytes = catalog.ToByteArray();
        return new SignedCatalog
        {
            Catalog = ByteString.CopyFrom(bytes),
            Signature = ByteString.CopyFrom(_key.SignData(bytes, HashAlgorithmName.SHA256)),
            Algorithm = Algorithm,
            KeyId = KeyId,
            SignerCertificate = _certificatePem,
        };
    }

    /// <summary>What an agent does: the signer chains to <paramref name="ca"/> and the signature holds.</summary>
    public static bool Verify(SignedCatalog signed, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(ca);
        if (signed.Algorithm != Algorithm || string.IsNullOrEmpty(signed.SignerCertificate))
        {
            return false;
        }
        using var signer = X509Certificate2.CreateFromPem(signed.SignerCertificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(signer))
        {
            return false;
        }
        using var key = signer.GetECDsaPublicKey();
        return key is not null && key.VerifyData(signed.Catalog.Span, signed.Signature.Span, HashAlgorithmName.SHA256);
    }

    public void Dispose() => _key.Dispose();
}
