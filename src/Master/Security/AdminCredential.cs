using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Colabo.Config.Master.Security;

/// <summary>
/// The initial admin credential written into the data dir on first start (admin.crt, admin.key,
/// admin.token; keys mode 0600) so that `colabo --data-dir DIR ...` works on the master host.
/// </summary>
public static class AdminCredential
{
    public static async Task EnsureAsync(MasterPaths paths, CertificateAuthority ca, Colabo.Config.Store.IConfigStore store, ApiTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tokens);
        if (!File.Exists(paths.AdminCertificate) || !File.Exists(paths.AdminKey))
        {
            using var admin = ca.IssueWithNewKey("admin", CertificateKind.Admin, TimeSpan.FromDays(365), [], out var issued);
            await store.AddCertificateAsync(issued.ToRecord(), cancellationToken);
            PrivateFileWrite(paths.AdminKey, admin.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            Colabo.Config.Store.PrivateFile.WritePublic(paths.AdminCertificate, admin.ExportCertificatePem());
        }
        if (!File.Exists(paths.AdminToken))
        {
            var token = await tokens.CreateAsync("admin", "admin", cancellationToken);
            PrivateFileWrite(paths.AdminToken, token + "\n");
        }
    }

    private static void PrivateFileWrite(string path, string content) =>
        Colabo.Config.Store.PrivateFile.Write(path, Encoding.UTF8.GetBytes(content));
}
