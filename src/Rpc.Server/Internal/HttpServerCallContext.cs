using System.Globalization;
using Colabo.Config.Rpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>The server's view of one call on Kestrel: deadline, metadata, response headers and the final status.</summary>
internal sealed class HttpServerCallContext : ServerCallContext, IDisposable
{
    private readonly HttpContext _http;
    private readonly RpcServerOptions _options;
    private readonly CancellationTokenSource? _cts;
    private readonly CancellationTokenSource? _deadlineCts;
    private Metadata? _requestHeaders;
    private readonly Metadata _trailers = new();
    private bool _headersWritten;

    public HttpServerCallContext(HttpContext http, IMethod method, RpcServerOptions options, PeerIdentity? identity)
    {
        _http = http;
        _options = options;
        Method = method.FullName;
        PeerIdentity = identity;
        var request = http.Request;
        RequestEncoding = request.Headers[GrpcProtocol.EncodingHeader].ToString() is { Length: > 0 } e ? e : null;
        CompressResponses = options.ResponseCompression is GrpcProtocol.Gzip
            && GrpcProtocol.AcceptsEncoding(request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(), GrpcProtocol.Gzip);
        if (GrpcProtocol.TryParseTimeout(request.Headers[GrpcProtocol.TimeoutHeader].ToString(), out var timeout))
        {
            Deadline = DateTime.UtcNow + timeout;
            _deadlineCts = new CancellationTokenSource(timeout);
            _cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _deadlineCts.Token);
        }
        else
        {
            Deadline = DateTime.MaxValue;
        }
    }

    public override string Method { get; }

    public override string Peer
    {
        get
        {
            var connection = _http.Connection;
            var ip = connection.RemoteIpAddress;
            if (ip is null)
            {
                return "unknown";
            }
            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? string.Create(CultureInfo.InvariantCulture, $"ipv6:[{ip}]:{connection.RemotePort}")
                : string.Create(CultureInfo.InvariantCulture, $"ipv4:{ip}:{connection.RemotePort}");
        }
    }

    public override PeerIdentity? PeerIdentity { get; }

    public override DateTime Deadline { get; }

    public override CancellationToken CancellationToken => _cts?.Token ?? _http.RequestAborted;

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    public override Metadata ResponseTrailers => _trailers;

    public HttpContext HttpContext => _http;

    public string? RequestEncoding { get; }

    public bool CompressResponses { get; }

    public bool DeadlineExceeded => _deadlineCts?.IsCancellationRequested == true;

    public bool ClientGone => _http.RequestAborted.IsCancellationRequested;

    public int MaxReceiveMessageSize => _options.MaxReceiveMessageSize;

    public int MaxSendMessageSize => _options.MaxSendMessageSize;

    public TimeSpan? MessageCompletionTimeout => _options.MessageCompletionTimeout;

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (_headersWritten || _http.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can be written only once, before the first response message.");
        }
        foreach (var entry in responseHeaders)
        {
            if (!GrpcProtocol.IsReservedHeader(entry.Key))
            {
                _http.Response.Headers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
            }
        }
        PrepareHeaders();
        await _http.Response.StartAsync(CancellationToken);
        await _http.Response.Body.FlushAsync(CancellationToken);
    }

    /// <summary>Sets the standard response headers once, before the first byte of the body.</summary>
    public void PrepareHeaders()
    {
        if (_headersWritten)
        {
            return;
        }
        _headersWritten = true;
        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        if (CompressResponses)
        {
            response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.Gzip;
        }
    }

    /// <summary>Sends the status: in trailers after a body, or as a trailers-only response when nothing was sent.</summary>
    public void WriteStatus(Status status)
    {
        var response = _http.Response;
        if (!response.HasStarted)
        {
            // Trailers-only: one HEADERS frame with END_STREAM carrying the status.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcProtocol.ContentType;
            response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
            response.Headers.Remove(GrpcProtocol.EncodingHeader);
            response.Headers[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(status.Detail))
            {
                response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(status.Detail);
            }
            foreach (var entry in _trailers)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    response.Headers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
                }
            }
            return;
        }
        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(status.Detail));
        }
        foreach (var entry in _trailers)
        {
            if (!GrpcProtocol.IsReservedHeader(entry.Key))
            {
                response.AppendTrailer(entry.Key, GrpcProtocol.HeaderValue(entry));
            }
        }
    }

    public void Dispose()
    {
        _cts?.Dispose();
        _deadlineCts?.Dispose();
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var (name, values) in _http.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null)
                {
                    GrpcProtocol.AddHeaderToMetadata(metadata, name, value);
                }
            }
        }
        return metadata;
    }

    internal static void DisableBodyLimits(HttpContext http)
    {
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
    }
}
