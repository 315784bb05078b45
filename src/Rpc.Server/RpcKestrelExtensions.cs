using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Colabo.Config.Rpc.Server.Internal;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Colabo.Config.Rpc.Server;

public static class RpcKestrelExtensions
{
    /// <summary>
    /// Listens for gRPC on an HTTP/2-only endpoint: TLS with optional client certificates when
    /// <see cref="RpcServerOptions.ServerCertificate"/> is set, plaintext h2c otherwise. Also sets the
    /// server-wide HTTP/2 keepalive and stream limits from the options.
    /// </summary>
    public static void ListenRpc(this KestrelServerOptions kestrel, IPEndPoint endpoint, RpcServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ConfigureLimits(kestrel, options);
        kestrel.Listen(endpoint, listen =>
        {
            // HTTP/2 only: with Http1AndHttp2 Kestrel would answer HTTP/1.1 on a cleartext port.
            listen.Protocols = HttpProtocols.Http2;
            if (options.ServerCertificate is not null)
            {
                listen.UseRpcTls(options, kestrel.ApplicationServices);
            }
        });
    }

    /// <summary>
    /// TLS on this endpoint as <see cref="ConfigureHttps"/> sets it up, and, when
    /// <see cref="RpcServerOptions.ReleaseIdleTlsBuffers"/> is on, each established connection lets OpenSSL
    /// free its record buffers while they are empty.
    /// </summary>
    public static ListenOptions UseRpcTls(this ListenOptions listen, RpcServerOptions options, IServiceProvider? services)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(options);
        listen.UseHttps(https => ConfigureHttps(https, options, services));
        if (options.ReleaseIdleTlsBuffers && IdleTlsBuffers.Supported)
        {
            listen.Use(IdleTlsBuffers.Middleware);
        }
        return listen;
    }

    public static void ConfigureLimits(KestrelServerOptions kestrel, RpcServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        kestrel.AddServerHeader = false;
        // Response headers are not added to each connection's HPACK table: a gRPC response's few headers
        // save some twenty bytes each on the wire that way, and the tables cost ~1 KB per connection
        // (11 MiB at 10,000 agents after a burst of calls, bench/Master.Bench/RESULTS.md).
        kestrel.AllowResponseHeaderCompression = false;
        kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxConcurrentStreamsPerConnection;
        kestrel.Limits.MinRequestBodyDataRate = null;
        kestrel.Limits.MaxRequestBodySize = null;
    }

    /// <summary>TLS 1.2/1.3 with the server certificate; client certificates validated against the configured CA only.</summary>
    public static void ConfigureHttps(HttpsConnectionAdapterOptions https, RpcServerOptions options, IServiceProvider? services)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(options);
        https.ServerCertificate = options.ServerCertificate;
        https.ServerCertificateChain = options.ServerCertificateChain;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        https.CheckCertificateRevocation = false;
        if (options.ClientCertificateAuthority is not null)
        {
            var logger = (services?.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Colabo.Config.Rpc.Server.Tls");
            var validator = new ClientCertificateValidator(options, logger);
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => validator.ValidateAtHandshake(certificate);
        }
        else
        {
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
        }
    }
}
