using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Daemon.Catalogs;

/// <summary>
/// Checks a SignedCatalog the way the master signs it: ECDSA P-256 over SHA-256 of the catalog
/// bytes (IEEE P1363), by a signer certificate that chains to the master CA, for this node.
/// </summary>
public static class CatalogVerifier
{
    public const string Algorithm = "ecdsa-p256-sha256";

    /// <summary>The verified catalog; throws <see cref="CatalogRejectedException"/> saying why otherwise.</summary>
    public static Catalog Verify(SignedCatalog signed, X509Certificate2 ca, string? expectedNode, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(ca);
        if (signed.Signature.IsEmpty || string.IsNullOrEmpty(signed.SignerCertificate))
        {
            throw new CatalogRejectedException("the catalog is not signed");
        }

        if (signed.Algorithm != Algorithm)
        {
            throw new CatalogRejectedException($"the catalog is signed with '{signed.Algorithm}', only {Algorithm} is accepted");
        }

        X509Certificate2 signer;
        try
        {
            signer = X509Certificate2.CreateFromPem(signed.SignerCertificate);
        }
        catch (CryptographicException e)
        {
            throw new CatalogRejectedException($"the catalog's signer certificate is unreadable: {e.Message}");
        }

        using (signer)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // A cached catalog stays usable offline even if the signer has since expired.
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            if (!chain.Build(signer))
            {
                throw new CatalogRejectedException($"the catalog's signer '{signer.Subject}' does not chain to the master CA '{ca.Subject}'");
            }

            using var key = signer.GetECDsaPublicKey() ?? throw new CatalogRejectedException("the catalog's signer has no EC public key");
            if (!key.VerifyData(signed.Catalog.Span, signed.Signature.Span, HashAlgorithmName.SHA256))
            {
                throw new CatalogRejectedException("the catalog's signature does not match its content (tampered or corrupted)");
            }
        }

        Catalog catalog;
        try
        {
            catalog = Catalog.Parser.ParseFrom(signed.Catalog);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new CatalogRejectedException($"the signed catalog does not parse: {e.Message}");
        }

        if (expectedNode is not null && catalog.Node.Length > 0 && !string.Equals(catalog.Node, expectedNode, StringComparison.Ordinal))
        {
            throw new CatalogRejectedException($"the catalog is for node '{catalog.Node}', not for this node '{expectedNode}'");
        }

        return catalog;
    }
}
