using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Rpc.Internal;

namespace Colabo.Config.Rpc;

/// <summary>
/// A client connection pool to one gRPC server over HTTP/2 (h2c for "http://", TLS for "https://").
/// Thread-safe; create one per server and share it. Dispose closes its connections.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    internal const string UserAgent = "colabo-rpc/1.0";

    private readonly bool _ownsHandler;
    private readonly HttpMessageHandler _handler;
    private volatile string? _lastServerCertificateFailure;

    public RpcChannel(Uri address, RpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"Channel address '{address}' must start with http:// (h2c) or https:// (TLS).", nameof(address));
        }
        Address = address;
        Options = options ?? new RpcChannelOptions();
        if (Options.HttpHandler is { } custom)
        {
            _handler = custom;
        }
        else
        {
            _handler = CreateHandler();
            _ownsHandler = true;
        }
        HttpClient = new HttpClient(_handler, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        CallInvoker = new HttpCallInvoker(this);
    }

    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null) =>
        new(new Uri(address, UriKind.Absolute), options);

    public Uri Address { get; }

    public RpcChannelOptions Options { get; }

    public CallInvoker CallInvoker { get; }

    internal HttpClient HttpClient { get; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    internal Uri MethodUri(string fullName) => _methodUris.GetOrAdd(fullName, static (name, address) => new Uri(address, name), Address);

    public void Dispose()
    {
        HttpClient.Dispose();
        if (_ownsHandler)
        {
            _handler.Dispose();
        }
    }

    private SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = Options.KeepAlivePingDelay,
            KeepAlivePingTimeout = Options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = Options.ConnectTimeout,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        if (Address.Scheme == "https")
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = ValidateServerCertificate,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
            };
            if (Options.ClientCertificate is { } clientCertificate)
            {
                handler.SslOptions.ClientCertificates = [clientCertificate];
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
            }
        }
        return handler;
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var failure = CheckServerCertificate(certificate, chain, errors);
        _lastServerCertificateFailure = failure;
        return failure is null;
    }

    /// <summary>Returns null when the server's certificate is trusted, else the reason it is not.</summary>
    private string? CheckServerCertificate(X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return "the server presented no certificate";
        }
        using var leaf = new X509Certificate2(certificate);
        var pin = Options.PinnedSha256Fingerprint is { } p ? NormalizeFingerprint(p) : null;
        if (Options.TrustedCertificateAuthority is null && pin is null)
        {
            return errors == SslPolicyErrors.None ? null : $"the server certificate '{leaf.Subject}' is not trusted by the system store ({errors})";
        }
        if (Options.TrustedCertificateAuthority is { } ca)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(leaf))
            {
                var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
                return $"the server certificate '{leaf.Subject}' (issuer '{leaf.Issuer}', valid {leaf.NotBefore:u} to {leaf.NotAfter:u}) is not valid for the configured CA '{ca.Subject}': {reasons}";
            }
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return $"the server certificate '{leaf.Subject}' does not name the host '{Address.Host}' in its subject alternative names";
            }
            if (pin is null)
            {
                return null;
            }
        }
        var candidates = new List<X509Certificate2> { leaf };
        if (presentedChain is not null)
        {
            candidates.AddRange(presentedChain.ChainElements.Select(e => e.Certificate));
        }
        if (Options.TrustedCertificateAuthority is { } trusted)
        {
            candidates.Add(trusted);
        }
        foreach (var candidate in candidates)
        {
            if (string.Equals(NormalizeFingerprint(candidate.GetCertHashString(HashAlgorithmName.SHA256)), pin, StringComparison.Ordinal))
            {
                return null;
            }
        }
        return $"no certificate presented by the server matches the pinned SHA-256 fingerprint {pin} (server certificate '{leaf.Subject}', SHA-256 {leaf.GetCertHashString(HashAlgorithmName.SHA256)})";
    }

    private static string NormalizeFingerprint(string fingerprint) =>
        fingerprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>An actionable sentence for a connection that failed before any response.</summary>
    internal string DescribeConnectionFailure(HttpRequestException ex)
    {
        var root = ex.GetBaseException().Message;
        if (ex.HttpRequestError == HttpRequestError.SecureConnectionError || ContainsAuthenticationFailure(ex))
        {
            if (_lastServerCertificateFailure is { } ours)
            {
                return $"TLS handshake with {Address} failed: we rejected the server: {ours}. Check the configured CA / pinned fingerprint.";
            }
            if (Options.ClientCertificate is { } mine)
            {
                return $"TLS handshake with {Address} failed: the server rejected our client certificate '{mine.Subject}' " +
                    $"(issuer '{mine.Issuer}', valid {mine.NotBefore.ToUniversalTime():u} to {mine.NotAfter.ToUniversalTime():u}). " +
                    "It must be issued by the server's CA, be within its validity dates and not be revoked; the server log names the reason. " +
                    $"(TLS error: {root})";
            }
            return $"TLS handshake with {Address} failed ({root}). The server may require a client certificate: configure RpcChannelOptions.ClientCertificate.";
        }
        // Under TLS 1.3 the server judges our certificate after our side of the handshake has completed, so a
        // rejected client certificate shows up as a connection that closes before the HTTP/2 preface.
        if (Address.Scheme == "https" && ClosedBeforeHttp2Preface(ex))
        {
            if (Options.ClientCertificate is { } presented)
            {
                return $"TLS handshake with {Address} failed: the server rejected our client certificate '{presented.Subject}' " +
                    $"(issuer '{presented.Issuer}', valid {presented.NotBefore.ToUniversalTime():u} to {presented.NotAfter.ToUniversalTime():u}) " +
                    "and closed the connection. It must be issued by the server's CA, be within its validity dates and not be revoked; " +
                    "the server log names the reason.";
            }
            return $"The server at {Address} closed the connection right after the TLS handshake; it may require a client certificate " +
                "(configure RpcChannelOptions.ClientCertificate).";
        }
        if (ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return $"Cannot connect to {Address}: {root}";
        }
        if (ex.HttpRequestError == HttpRequestError.VersionNegotiationError)
        {
            return $"{Address} does not speak HTTP/2 ({root}). A gRPC endpoint must be HTTP/2-only on plaintext and offer h2 over TLS.";
        }
        return $"Request to {Address} failed: {root}";
    }

    /// <summary>True for a TLS connection the server closed before HTTP/2 started: under TLS 1.3, a refused client certificate.</summary>
    internal bool IsLikelyCertificateRejection(HttpRequestException ex) => Address.Scheme == "https" && ClosedBeforeHttp2Preface(ex);

    private static bool ClosedBeforeHttp2Preface(HttpRequestException ex)
    {
        if (ex.HttpRequestError is not (HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded or HttpRequestError.ConnectionError or HttpRequestError.Unknown))
        {
            return false;
        }
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }
                || e.Message.Contains("HTTP/2 handshake", StringComparison.Ordinal)
                || e.Message.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool ContainsAuthenticationFailure(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is AuthenticationException)
            {
                return true;
            }
        }
        return false;
    }
}
