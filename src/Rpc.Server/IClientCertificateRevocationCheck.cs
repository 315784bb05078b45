using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Rpc.Server;

/// <summary>
/// The revocation hook: the master answers from its revocation list. Called on the TLS handshake and on
/// every call, so it must be fast and thread-safe (an in-memory set lookup).
/// </summary>
public interface IClientCertificateRevocationCheck
{
    bool IsRevoked(X509Certificate2 certificate);
}
