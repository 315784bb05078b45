using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Security;

/// <summary>
/// The master's keys: the CA, the catalog signing certificate and this replica's TLS server
/// certificate. The CA and the signing key live in the data dir (keys mode 0600) and, sealed with
/// the secrets key, in the store, so every replica sharing the store uses the same CA.
/// </summary>
public sealed class MasterKeyring : IDisposable
{
    private const string CaSetting = "keyring.ca";
    private const string SigningSetting = "keyring.signing";

    private MasterKeyring(CertificateAuthority ca, CatalogSigner signer, X509Certificate2 server)
    {
        Ca = ca;
        Signer = signer;
        ServerCertificate = server;
    }

    public CertificateAuthority Ca { get; }

    public CatalogSigner Signer { get; }

    /// <summary>This replica's TLS certificate, with its private key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    public static async Task<MasterKeyring> LoadOrCreateAsync(
        MasterPaths paths, IConfigStore store, SecretCipher cipher, IReadOnlyList<string> serverNames, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cipher);
        Directory.CreateDirectory(paths.DataDir);

        var caPair = await SharedPairAsync(store, cipher, CaSetting, paths.CaCertificate, paths.CaKey, () =>
        {
            using var fresh = CertificateAuthority.Create("Colabo Config CA", time);
            return new PemPair(fresh.CertificatePem, fresh.KeyPem);
        }, cancellationToken);
        var ca = CertificateAuthority.FromPem(caPair.Certificate, caPair.Key, time);

        var signingPair = await SharedPairAsync(store, cipher, SigningSetting, paths.SigningCertificate, paths.SigningKey, () =>
        {
            using var signing = ca.IssueWithNewKey("catalog-signer", CertificateKind.Signing, TimeSpan.FromDays(3650), [], out _);
            return new PemPair(signing.ExportCertificatePem(), signing.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }, cancellationToken);
        var signer = new CatalogSigner(X509Certificate2.CreateFromPem(signingPair.Certificate, signingPair.Key));

        var server = LoadOrIssueServerCertificate(paths, ca, serverNames, time);
        return new MasterKeyring(ca, signer, server);
    }

    private static async Task<PemPair> SharedPairAsync(
        IConfigStore store, SecretCipher cipher, string setting, string certificatePath, string keyPath, Func<PemPair> create, CancellationToken cancellationToken)
    {
        PemPair pair;
        var stored = await store.GetSettingAsync(setting, cancellationToken);
        if (stored is not null)
        {
            pair = Unseal(cipher, stored);
        }
        else
        {
            pair = File.Exists(certificatePath) && File.Exists(keyPath)
                ? new PemPair(await File.ReadAllTextAsync(certificatePath, cancellationToken), await File.ReadAllTextAsync(keyPath, cancellationToken))
                : create();
            // Replicas racing on first start: the first to store wins and every replica uses its pair.
            pair = Unseal(cipher, await store.AddSettingIfAbsentAsync(setting, Seal(cipher, pair), cancellationToken));
        }
        if (!File.Exists(certificatePath) || await File.ReadAllTextAsync(certificatePath, cancellationToken) != pair.Certificate)
        {
            PrivateFile.Write(keyPath, Encoding.UTF8.GetBytes(pair.Key));
            PrivateFile.WritePublic(certificatePath, pair.Certificate);
        }
        return pair;
    }

    private static X509Certificate2 LoadOrIssueServerCertificate(MasterPaths paths, CertificateAuthority ca, IReadOnlyList<string> names, TimeProvider time)
    {
        if (File.Exists(paths.ServerCertificate) && File.Exists(paths.ServerKey))
        {
            var existing = X509Certificate2.CreateFromPem(File.ReadAllText(paths.ServerCertificate), File.ReadAllText(paths.ServerKey));
            var remaining = existing.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime;
            if (ca.Verifies(existing) && remaining > TimeSpan.FromDays(30) && CoversNames(existing, names))
            {
                return X509CertificateLoader.LoadPkcs12(existing.Export(X509ContentType.Pkcs12), null);
            }
            existing.Dispose();
        }
        var subject = names.Count > 0 ? names[0] : "localhost";
        var server = ca.IssueWithNewKey(subject, CertificateKind.Server, TimeSpan.FromDays(365), names, out _);
        PrivateFile.Write(paths.ServerKey, Encoding.UTF8.GetBytes(server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        PrivateFile.WritePublic(paths.ServerCertificate, server.ExportCertificatePem());
        return server;
    }

    private static bool CoversNames(X509Certificate2 certificate, IReadOnlyList<string> names)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return names.Count == 0;
        }
        var covered = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return names.All(covered.Contains);
    }

    private static string Seal(SecretCipher cipher, PemPair pair) =>
        Convert.ToBase64String(cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(pair, MasterJson.Default.PemPair)));

    private static PemPair Unseal(SecretCipher cipher, string sealedValue)
    {
        try
        {
            return JsonSerializer.Deserialize(cipher.Open(Convert.FromBase64String(sealedValue)), MasterJson.Default.PemPair)
                ?? throw new InvalidDataException("Empty key material in the store.");
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidDataException(
                "The CA stored in the shared store cannot be opened with this replica's secrets key. Every replica must use the same secrets key file (--secrets-key-file).", e);
        }
    }

    public void Dispose()
    {
        Ca.Dispose();
        Signer.Dispose();
        ServerCertificate.Dispose();
    }
}

internal sealed record PemPair(string Certificate, string Key);
