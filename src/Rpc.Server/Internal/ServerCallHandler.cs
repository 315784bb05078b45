using Colabo.Config.Rpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>Serves one method: checks the request, authenticates, runs the handler, sends the status.</summary>
internal sealed partial class ServerCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Delegate handler,
    RpcServerOptions options,
    bool anonymous,
    ILogger logger)
    where TRequest : class
    where TResponse : class
{
    // One certificate object per TLS connection: parse its names once, not on every call.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Security.Cryptography.X509Certificates.X509Certificate2, PeerIdentity> s_identities = [];

    public async Task HandleAsync(HttpContext http)
    {
        if (!GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        HttpServerCallContext.DisableBodyLimits(http);
        HeaderEncodingBuffers.Shrink(http, options.HeaderEncodingBufferSize);
        PeerIdentity? identity = null;
        if (http.Connection.ClientCertificate is { } certificate)
        {
            identity = s_identities.GetValue(certificate, static c => PeerIdentity.FromCertificate(c));
        }
        using var context = new HttpServerCallContext(http, method, options, identity);
        Status status;
        try
        {
            Authenticate(http, identity);
            CheckRequestEncoding(context);
            await DispatchAsync(context);
            status = context.DeadlineExceeded ? DeadlineStatus() : context.Status;
        }
        catch (Exception ex)
        {
            status = ToStatus(ex, context);
        }
        if (context.ClientGone && !context.DeadlineExceeded)
        {
            return; // The stream is already reset; there is nobody to tell.
        }
        context.WriteStatus(status);
    }

    private void Authenticate(HttpContext http, PeerIdentity? identity)
    {
        if (options.ClientCertificateAuthority is null || anonymous)
        {
            return;
        }
        if (identity is null)
        {
            LogUnauthenticated(logger, method.FullName, http.Connection.RemoteIpAddress?.ToString(), "no client certificate");
            throw new RpcException(StatusCode.Unauthenticated,
                $"{method.FullName} requires a client certificate issued by this server's CA, and the connection presented none.");
        }
        if (options.RevocationCheck?.IsRevoked(identity.Certificate) == true)
        {
            LogUnauthenticated(logger, method.FullName, http.Connection.RemoteIpAddress?.ToString(), $"certificate '{identity.Certificate.Subject}' is revoked");
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"The client certificate '{identity.Certificate.Subject}' (serial {identity.Certificate.SerialNumber}) has been revoked; enroll again to get a new one."),
                ErrorReason.Trailers(ErrorReason.CertificateRevoked));
        }
    }

    private static void CheckRequestEncoding(HttpServerCallContext context)
    {
        var encoding = context.RequestEncoding;
        if (encoding is null or GrpcProtocol.Identity or GrpcProtocol.Gzip)
        {
            return;
        }
        throw new RpcException(StatusCode.Unimplemented,
            $"Request message encoding '{encoding}' is not supported; supported: {GrpcProtocol.SupportedEncodings}.");
    }

    private async Task DispatchAsync(HttpServerCallContext context)
    {
        switch (handler)
        {
            case UnaryServerMethod<TRequest, TResponse> unary:
            {
                var request = await ReadSingleRequestAsync(context);
                var response = await unary(request, context);
                await WriteResponseAsync(context, response);
                break;
            }
            case ServerStreamingServerMethod<TRequest, TResponse> serverStreaming:
            {
                var request = await ReadSingleRequestAsync(context);
                await serverStreaming(request, new ResponseStreamWriter<TResponse>(context, method.ResponseMarshaller), context);
                break;
            }
            case ClientStreamingServerMethod<TRequest, TResponse> clientStreaming:
            {
                var response = await clientStreaming(new RequestStreamReader<TRequest>(context, method.RequestMarshaller), context);
                await WriteResponseAsync(context, response);
                break;
            }
            case DuplexStreamingServerMethod<TRequest, TResponse> duplex:
                await duplex(
                    new RequestStreamReader<TRequest>(context, method.RequestMarshaller),
                    new ResponseStreamWriter<TResponse>(context, method.ResponseMarshaller),
                    context);
                break;
            default:
                throw new InvalidOperationException($"No handler shape for {method.FullName}.");
        }
    }

    private async Task<TRequest> ReadSingleRequestAsync(HttpServerCallContext context)
    {
        var payload = await RequestStreamReader<TRequest>.ReadPayloadAsync(context, context.CancellationToken)
            ?? throw new RpcException(StatusCode.Internal, $"{method.FullName} expects one request message and the request body was empty.");
        var extra = await RequestStreamReader<TRequest>.ReadPayloadAsync(context, context.CancellationToken);
        if (extra is not null)
        {
            throw new RpcException(StatusCode.Internal, $"{method.FullName} expects one request message and the client sent more.");
        }
        return MessageFraming.Deserialize(payload, method.RequestMarshaller, "request");
    }

    private Task WriteResponseAsync(HttpServerCallContext context, TResponse response)
    {
        if (context.Status.StatusCode != StatusCode.OK)
        {
            return Task.CompletedTask; // The handler chose a non-OK status: no message goes with it.
        }
        ArgumentNullException.ThrowIfNull(response);
        // The single reply goes out with the trailers in one write when the call completes.
        return new ResponseStreamWriter<TResponse>(context, method.ResponseMarshaller, flush: false).WriteAsync(response, context.CancellationToken);
    }

    private Status DeadlineStatus() => new(StatusCode.DeadlineExceeded, $"Deadline exceeded while serving {method.FullName}.");

    private Status ToStatus(Exception ex, HttpServerCallContext context)
    {
        if (context.DeadlineExceeded)
        {
            return DeadlineStatus();
        }
        if (ex is RpcException rpc)
        {
            foreach (var entry in rpc.Trailers)
            {
                context.ResponseTrailers.Add(entry);
            }
            if (rpc.StatusCode is StatusCode.Internal or StatusCode.ResourceExhausted or StatusCode.Unimplemented or StatusCode.Cancelled)
            {
                LogCallFailed(logger, method.FullName, rpc.StatusCode, rpc.Status.Detail);
            }
            return rpc.Status;
        }
        if (context.ClientGone || ex is OperationCanceledException)
        {
            return new Status(StatusCode.Cancelled, "The call was cancelled.");
        }
        if (ex is IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            return new Status(StatusCode.Unavailable, "The connection broke during the call.");
        }
        LogHandlerException(logger, method.FullName, ex);
        return new Status(StatusCode.Internal, "Exception was thrown by handler.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of {Method} threw; the client gets INTERNAL without details")]
    private static partial void LogHandlerException(ILogger logger, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {Method} ended with {Code}: {Detail}")]
    private static partial void LogCallFailed(ILogger logger, string method, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Remote}: {Reason}")]
    private static partial void LogUnauthenticated(ILogger logger, string method, string? remote, string reason);
}
