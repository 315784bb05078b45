using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Security;

/// <summary>A certificate the CA just issued (with its key when the CA generated the key).</summary>
public sealed record IssuedCertificate(X509Certificate2 Certificate, CertificateKind Kind, string Subject)
{
    public string Pem => Certificate.ExportCertificatePem();

    public string Serial => Certificate.SerialNumber;

    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Certificate.RawData));

    public CertificateRecord ToRecord() => new()
    {
        Serial = Serial,
        Subject = Subject,
        Kind = Kind.ToOu(),
        NotBefore = Certificate.NotBefore.ToUniversalTime(),
        NotAfter = Certificate.NotAfter.ToUniversalTime(),
        Fingerprint = Fingerprint,
        Pem = Pem,
    };
}
