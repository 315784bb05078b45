using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Agent.Daemon.Identity;

/// <summary>The node's certificate with its private key, and the master CA it chains to.</summary>
public sealed class NodeIdentity : IDisposable
{
    private NodeIdentity(X509Certificate2 certificate, X509Certificate2 ca)
    {
        Certificate = certificate;
        Ca = ca;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Ca { get; }

    /// <summary>The node name: the certificate's common name, set by the master.</summary>
    public string NodeName => Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);

    public DateTimeOffset NotBefore => new(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>When to renew: two thirds into the certificate's lifetime.</summary>
    public DateTimeOffset RenewAt => NotBefore + ((NotAfter - NotBefore) * 2 / 3);

    public static NodeIdentity Load(AgentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.IsEnrolled)
        {
            throw new InvalidOperationException($"this node is not enrolled: {state.KeyFile}, {state.CertificateFile} or {state.CaFile} is missing (run 'colabo-agent enroll' or give the daemon an enrollment token)");
        }

        return FromPem(File.ReadAllText(state.CertificateFile), File.ReadAllText(state.KeyFile), File.ReadAllText(state.CaFile));
    }

    public static NodeIdentity FromPem(string certificatePem, string keyPem, string caPem)
    {
        using var withKey = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        // Round-trip through PKCS#12 so SslStream can use the ephemeral key on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
        return new NodeIdentity(certificate, X509Certificate2.CreateFromPem(caPem));
    }

    /// <summary>A new EC P-256 key and a CSR for it (the master ignores the subject and sets the node name).</summary>
    public static (ECDsa Key, string CsrPem) NewKeyAndRequest(string nodeName)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(nodeName)}"), key, HashAlgorithmName.SHA256);
        return (key, request.CreateSigningRequestPem());
    }

    /// <summary>Stores key, certificate and CA (key first: a certificate without its key is useless).</summary>
    public static void Save(AgentState state, ECDsa key, string certificatePem, string caPem)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(key);
        state.EnsureCreated();
        AgentState.WriteAtomically(state.KeyFile + ".new", key.ExportPkcs8PrivateKeyPem());
        AgentState.WriteAtomically(state.CertificateFile + ".new", certificatePem);
        File.Move(state.KeyFile + ".new", state.KeyFile, overwrite: true);
        File.Move(state.CertificateFile + ".new", state.CertificateFile, overwrite: true);
        if (!string.IsNullOrEmpty(caPem))
        {
            AgentState.WriteAtomically(state.CaFile, caPem);
        }
    }

    /// <summary>"ab:cd:..." or "sha256:ABCD..." to lowercase hex.</summary>
    public static string NormalizeFingerprint(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var text = fingerprint.Trim();
        if (text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..];
        }

        return text.Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
    }

    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Ca.Dispose();
    }

    private static string Escape(string name) => name.Replace("\"", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal);
}
