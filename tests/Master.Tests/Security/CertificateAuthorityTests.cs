using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.Security;

public sealed class CertificateAuthorityTests
{
    [Fact(Timeout = 30_000)]
    public async Task First_start_writes_the_CA_signing_and_server_certificates_with_private_keys_mode_0600()
    {
        await using var master = await DomainHarness.StartAsync();

        foreach (var key in new[] { master.Paths.CaKey, master.Paths.SigningKey, master.Paths.ServerKey, master.Paths.SecretsKey })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(master.Paths.CaCertificate));
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal("ECDsa", ca.GetKeyAlgorithmParameters() is { } ? "ECDsa" : "");
        Assert.NotNull(ca.GetECDsaPublicKey());
        Assert.Equal(256, ca.GetECDsaPublicKey()!.KeySize);
        Assert.True(master.Keyring.Ca.Verifies(master.Keyring.ServerCertificate));
        var san = master.Keyring.ServerCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains("127.0.0.1", san.EnumerateIPAddresses().Select(ip => ip.ToString()));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_restart_keeps_the_same_CA()
    {
        string fingerprint;
        string dataDir;
        await using (var first = await DomainHarness.StartAsync())
        {
            fingerprint = first.Keyring.Ca.Fingerprint;
            dataDir = first.Paths.DataDir;
        }

        await using var second = await DomainHarness.StartAsync(dataDir);

        Assert.Equal(fingerprint, second.Keyring.Ca.Fingerprint);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_node_certificate_names_the_approved_node_not_the_CSR_subject_and_lasts_30_days()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest(), "test", default);

        var result = await master.Enrollment.EnrollAsync(token.Secret, Csr.New("CN=admin, OU=admin"), "web-1", "{}", default);

        var identity = CallerIdentity.FromCertificate(result.Certificate.Certificate);
        Assert.Equal(new CallerIdentity("web-1", CertificateKind.Node, result.Certificate.Serial), identity);
        Assert.Equal(DomainHarness.Start.AddDays(30).UtcDateTime, result.Certificate.Certificate.NotAfter.ToUniversalTime());
        Assert.True(master.Keyring.Ca.Verifies(result.Certificate.Certificate));
    }

    [Fact(Timeout = 30_000)]
    public async Task Admin_and_viewer_certificates_carry_their_role()
    {
        await using var master = await DomainHarness.StartAsync();

        var admin = await master.Enrollment.IssueAdminCertificateAsync("alice", "admin", Csr.New(), null, default);
        var viewer = await master.Enrollment.IssueAdminCertificateAsync("bob", "viewer", Csr.New("CN=bob, OU=admin"), null, default);

        Assert.True(CallerIdentity.FromCertificate(admin.Certificate)!.CanWrite);
        var bob = CallerIdentity.FromCertificate(viewer.Certificate)!;
        Assert.True(bob.CanRead);
        Assert.False(bob.CanWrite);
        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.IssueAdminCertificateAsync("eve", "root", Csr.New(), null, default));
        Assert.Equal(MasterErrorKind.InvalidArgument, error.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_garbage_CSR_is_refused_with_a_clear_error_and_does_not_spend_the_token()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest(), "test", default);

        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, "not a csr", "web-1", "{}", default));

        Assert.Equal(MasterErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("PKCS#10", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await master.Store.FindTokenByHashAsync(token.Record.Hash, default))!.Uses);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_signed_catalog_verifies_against_the_CA_and_a_tampered_one_does_not()
    {
        await using var master = await DomainHarness.StartAsync();
        var catalog = new Catalog { Node = "web-1", ContentHash = "sha256:1" };

        var signed = master.Keyring.Signer.Sign(catalog);
        var tampered = signed.Clone();
        var bytes = tampered.Catalog.ToByteArray();
        bytes[^1] ^= 1;
        tampered.Catalog = Google.Protobuf.ByteString.CopyFrom(bytes);

        Assert.True(CatalogSigner.Verify(signed, master.Keyring.Ca.Certificate));
        Assert.Equal(64, signed.Signature.Length);
        Assert.Equal("ecdsa-p256-sha256", signed.Algorithm);
        Assert.False(CatalogSigner.Verify(tampered, master.Keyring.Ca.Certificate));
        using var otherCa = CertificateAuthority.Create("other", TimeProvider.System);
        Assert.False(CatalogSigner.Verify(signed, otherCa.Certificate));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_initial_admin_credential_is_written_once_and_its_token_authenticates_as_admin()
    {
        await using var master = await DomainHarness.StartAsync();
        var tokens = new ApiTokens(master.Store);

        await AdminCredential.EnsureAsync(master.Paths, master.Keyring.Ca, master.Store, tokens, default);
        var firstCertificate = await File.ReadAllTextAsync(master.Paths.AdminCertificate);
        await AdminCredential.EnsureAsync(master.Paths, master.Keyring.Ca, master.Store, tokens, default);

        Assert.Equal(firstCertificate, await File.ReadAllTextAsync(master.Paths.AdminCertificate));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(master.Paths.AdminKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(master.Paths.AdminToken));
        var adminKey = await File.ReadAllTextAsync(master.Paths.AdminKey);
        using var admin = X509Certificate2.CreateFromPem(firstCertificate, adminKey);
        Assert.True(CallerIdentity.FromCertificate(admin)!.CanWrite);
        var identity = await tokens.AuthenticateAsync((await File.ReadAllTextAsync(master.Paths.AdminToken)).Trim(), default);
        Assert.True(identity!.CanWrite);
        Assert.Null(await tokens.AuthenticateAsync("cba_forged", default));
    }

    [Fact(Timeout = 30_000)]
    public async Task Renewal_issues_a_new_certificate_for_the_callers_own_name()
    {
        await using var master = await DomainHarness.StartAsync();
        var enrolled = await master.EnrollAsync("web-1");
        master.Time.Advance(TimeSpan.FromDays(20));
        var caller = CallerIdentity.FromCertificate(enrolled.Certificate.Certificate)!;

        var renewed = await master.Enrollment.RenewAsync(caller, Csr.New("CN=db-1"), default);

        Assert.Equal("web-1", CallerIdentity.FromCertificate(renewed.Certificate)!.Name);
        Assert.NotEqual(enrolled.Certificate.Serial, renewed.Serial);
        Assert.Equal(DomainHarness.Start.AddDays(50).UtcDateTime, renewed.Certificate.NotAfter.ToUniversalTime());
        Assert.Equal(renewed.Serial, (await master.Store.GetNodeAsync("web-1", default))!.CertificateSerial);
    }

    [Fact(Timeout = 30_000)]
    public async Task Revoking_a_node_marks_every_certificate_revoked_and_tells_the_revocation_list()
    {
        await using var master = await DomainHarness.StartAsync();
        var enrolled = await master.EnrollAsync("web-1");

        var serials = await master.Enrollment.RevokeAsync(null, "web-1", "decommissioned", default);

        Assert.Equal([enrolled.Certificate.Serial], serials);
        Assert.True(master.Revocations.IsRevoked(enrolled.Certificate.Serial));
        Assert.Equal([enrolled.Certificate.Serial], await master.Store.ListRevokedSerialsAsync(default));
        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.RevokeAsync("00FF", null, "x", default));
        Assert.Equal(MasterErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public void A_weak_RSA_key_is_refused()
    {
        using var ca = CertificateAuthority.Create("test", TimeProvider.System);
        using var rsa = RSA.Create(1024);
        var csr = new CertificateRequest("CN=x", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();

        var error = Assert.Throws<InvalidCsrException>(() => ca.SignRequest(csr, "web-1", CertificateKind.Node, TimeSpan.FromDays(1)));

        Assert.Contains("2048", error.Message, StringComparison.Ordinal);
    }
}
