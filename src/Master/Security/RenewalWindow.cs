using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Master.Security;

/// <summary>
/// When a node certificate should be renewed: from 2/3 of its lifetime on, the point at which agents
/// renew on their own (DESIGN.md, "Security model"). The master pushes RenewCertificateNow on Watch to a
/// connected node whose certificate is in the window.
/// </summary>
public readonly record struct RenewalWindow(DateTimeOffset From, DateTimeOffset NotAfter, string Serial)
{
    public static readonly RenewalWindow None = new(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, "");

    public static RenewalWindow Of(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return None;
        }
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return new RenewalWindow(notBefore + ((notAfter - notBefore) * 2 / 3), notAfter, certificate.SerialNumber);
    }

    /// <summary>The reason to give the agent when the window is open at <paramref name="now"/>; null otherwise.</summary>
    public string? IsDue(DateTimeOffset now) =>
        Serial.Length > 0 && now >= From
            ? $"certificate {Serial} expires at {NotAfter:u}; its renewal window opened at {From:u}"
            : null;
}
