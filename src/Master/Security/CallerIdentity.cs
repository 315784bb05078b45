using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Master.Security;

/// <summary>
/// Who is calling, read only from a certificate the master CA issued: the name is the subject CN,
/// the kind is the subject OU (node, admin, viewer).
/// </summary>
public sealed record CallerIdentity(string Name, CertificateKind Kind, string Serial)
{
    public bool IsNode => Kind == CertificateKind.Node;

    public bool CanRead => Kind is CertificateKind.Admin or CertificateKind.Viewer;

    public bool CanWrite => Kind == CertificateKind.Admin;

    /// <summary>Null when the certificate carries no name or no kind this master issues.</summary>
    public static CallerIdentity? FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? cn = null;
        string? ou = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var oid = rdn.GetSingleElementType().Value;
            if (oid == "2.5.4.3")
            {
                cn = rdn.GetSingleElementValue();
            }
            else if (oid == "2.5.4.11")
            {
                ou = rdn.GetSingleElementValue();
            }
        }
        var kind = CertificateKinds.FromOu(ou);
        return string.IsNullOrEmpty(cn) || kind is null ? null : new CallerIdentity(cn, kind.Value, certificate.SerialNumber);
    }
}
