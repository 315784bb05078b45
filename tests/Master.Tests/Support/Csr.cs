using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Master.Tests.Support;

/// <summary>Certificate signing requests as an agent or an admin makes them (the key stays here).</summary>
public static class Csr
{
    public static string New(string subject = "CN=whatever") => New(subject, out _);

    public static string New(string subject, out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
