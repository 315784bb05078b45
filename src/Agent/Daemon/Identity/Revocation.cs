using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Daemon.Identity;

/// <summary>
/// How the agent knows for certain that the master revoked its certificate: a <c>revoked</c> event on
/// Watch, or a call answered UNAUTHENTICATED with the <see cref="ErrorReason.CertificateRevoked"/>
/// trailer (the master lets a revoked certificate through the TLS handshake so that it can say so).
/// Never the message text: a certificate refused for another reason must not stop the daemon for good.
/// </summary>
public static class Revocation
{
    public static bool IsSignalledBy(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode == StatusCode.Unauthenticated && ErrorReason.Of(error) == ErrorReason.CertificateRevoked;
    }
}
