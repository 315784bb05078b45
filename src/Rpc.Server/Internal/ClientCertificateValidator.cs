using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>Validates a client certificate against the configured CA only, its dates, and the revocation hook.</summary>
internal sealed partial class ClientCertificateValidator(RpcServerOptions options, ILogger logger)
{
    /// <summary>Null when the certificate is acceptable; otherwise why not, in words an operator can act on.</summary>
    public string? Check(X509Certificate2 certificate, bool checkRevocation = true)
    {
        var ca = options.ClientCertificateAuthority;
        if (ca is null)
        {
            return null;
        }
        var now = options.TimeProvider.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return $"client certificate '{certificate.Subject}' is not valid before {certificate.NotBefore.ToUniversalTime():u}";
        }
        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return $"client certificate '{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():u}";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"client certificate '{certificate.Subject}' (issuer '{certificate.Issuer}') does not chain to the configured CA '{ca.Subject}': {reasons}";
        }
        if (checkRevocation && options.RevocationCheck?.IsRevoked(certificate) == true)
        {
            return $"client certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) has been revoked";
        }
        return null;
    }

    /// <summary>The Kestrel handshake callback: a bad certificate fails the handshake and is logged here.</summary>
    public bool ValidateAtHandshake(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return true; // Anonymous methods remain callable; the others answer UNAUTHENTICATED.
        }
        // Revocation is still enforced on every call; letting the handshake through lets the call say so.
        var failure = Check(certificate, options.RefuseRevokedCertificatesAtHandshake);
        if (failure is not null)
        {
            LogRejected(logger, failure);
        }
        return failure is null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS handshake refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}
