using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Rpc;

/// <summary>The verified identity of a caller, taken from its client certificate.</summary>
/// <param name="CommonName">The subject CN (for agents, the node name).</param>
/// <param name="DnsNames">DNS subject alternative names.</param>
/// <param name="IpAddresses">IP address subject alternative names.</param>
/// <param name="Sha256Fingerprint">Uppercase hex SHA-256 of the certificate.</param>
/// <param name="Certificate">The verified client certificate.</param>
public sealed record PeerIdentity(
    string CommonName,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    string Sha256Fingerprint,
    X509Certificate2 Certificate)
{
    public static PeerIdentity FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var dns = new List<string>();
        var ips = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                dns.AddRange(san.EnumerateDnsNames());
                ips.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }
        return new PeerIdentity(
            certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            dns,
            ips,
            certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
            certificate);
    }
}
