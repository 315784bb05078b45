using Colabo.Config.Rpc.Internal;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>Writes framed response messages to the HTTP/2 response body.</summary>
internal sealed class ResponseStreamWriter<T>(HttpServerCallContext context, Marshaller<T> marshaller, bool flush = true) : IServerStreamWriter<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        context.PrepareHeaders();
        var token = cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;
        return MessageFraming.WriteMessageAsync(
            context.HttpContext.Response.Body, message, marshaller, context.CompressResponses, context.MaxSendMessageSize, token, flush).AsTask();
    }
}
