using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Rpc.Server;

/// <summary>Server-side protocol limits, compression, keepalive and mutual-TLS settings.</summary>
public sealed record RpcServerOptions
{
    /// <summary>Largest request message accepted (after decompression); bigger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest response message a handler may send; bigger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>"gzip" compresses responses to clients that accept gzip; null never compresses.</summary>
    public string? ResponseCompression { get; init; }

    /// <summary>HTTP/2 PING after this much connection idleness; a peer that does not answer is disconnected.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; clients open more connections beyond it.</summary>
    public int MaxConcurrentStreamsPerConnection { get; init; } = 1000;

    /// <summary>
    /// Once the first byte of a request message arrived, the rest must arrive within this time, or the call
    /// ends with CANCELLED (a peer stalling mid-message cannot hold a handler forever). Idle time between
    /// messages is not limited. Null disables the check.
    /// </summary>
    public TimeSpan? MessageCompletionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True (default): OpenSSL frees each TLS connection's read and write record buffers (~34 KB) while they
    /// are empty, which is most of the time for a connection that only waits on a stream. Linux with .NET 10
    /// only; elsewhere it has no effect.
    /// </summary>
    public bool ReleaseIdleTlsBuffers { get; init; } = true;

    /// <summary>
    /// Bytes of each HTTP/2 connection's buffer for encoding response headers and trailers (1024 by default).
    /// Kestrel's own is as large as the peer's largest frame, 16 KB at least, for the connection's whole life;
    /// a gRPC response's headers take some tens of bytes. Larger headers still go out whole, in more frames
    /// (HEADERS, then CONTINUATION). 0 keeps Kestrel's. .NET 10 only; elsewhere it has no effect.
    /// </summary>
    public int HeaderEncodingBufferSize { get; init; } = 1024;

    /// <summary>The TLS certificate of this server (with private key). Null serves plaintext h2c.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>Intermediate/CA certificates sent with <see cref="ServerCertificate"/> (lets clients pin the CA fingerprint).</summary>
    public X509Certificate2Collection? ServerCertificateChain { get; init; }

    /// <summary>
    /// The only CA that client certificates may chain to. When set (and TLS is on), every method except the
    /// anonymous ones requires a valid client certificate.
    /// </summary>
    public X509Certificate2? ClientCertificateAuthority { get; init; }

    /// <summary>Asked at the TLS handshake and on every call whether a client certificate has been revoked.</summary>
    public IClientCertificateRevocationCheck? RevocationCheck { get; init; }

    /// <summary>
    /// True (default): a revoked client certificate fails the TLS handshake, and the client sees only a closed
    /// connection. False: a certificate whose only fault is being revoked completes the handshake and every
    /// call answers UNAUTHENTICATED with the trailer <see cref="ErrorReason.CertificateRevoked"/>, so the
    /// client knows for certain that it was revoked (an agent stops instead of retrying forever).
    /// </summary>
    public bool RefuseRevokedCertificatesAtHandshake { get; init; } = true;

    /// <summary>Full method paths ("/grpc.health.v1.Health/Check") or service names ("grpc.health.v1.Health") callable without a client certificate.</summary>
    public IReadOnlySet<string> AnonymousMethods { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The clock for certificate validity checks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal bool IsAnonymous(IMethod method) =>
        AnonymousMethods.Contains(method.FullName) || AnonymousMethods.Contains(method.ServiceName);
}
