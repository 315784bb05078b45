using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Rpc;

/// <summary>How a client channel connects. Immutable; use <c>with</c> to derive variants.</summary>
public sealed record RpcChannelOptions
{
    /// <summary>The certificate (with private key) presented to the server for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The only CA trusted for the server's certificate (custom root trust, not the OS store).</summary>
    public X509Certificate2? TrustedCertificateAuthority { get; init; }

    /// <summary>
    /// Alternatively (or additionally), the SHA-256 fingerprint (hex, colons allowed) of a CA or server
    /// certificate in the server's chain. Used by agents that only know the CA fingerprint at enrollment.
    /// </summary>
    public string? PinnedSha256Fingerprint { get; init; }

    public int MaxReceiveMessageSize { get; init; } = 4 * 1024 * 1024;

    public int MaxSendMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>"gzip" to compress request messages; null sends them uncompressed.</summary>
    public string? RequestCompression { get; init; }

    /// <summary>HTTP/2 PING interval on an idle connection; keeps long-lived streams alive through NATs.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts in all for a call that may be retried transparently (idempotent, UNAVAILABLE before any response byte).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Replaces the SocketsHttpHandler the channel would build (tests, proxies). TLS options above are then ignored.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
