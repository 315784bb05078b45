using Colabo.Config.Rpc.Internal;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>Reads request messages from the HTTP/2 request body.</summary>
internal sealed class RequestStreamReader<T>(HttpServerCallContext context, Marshaller<T> marshaller) : IAsyncStreamReader<T>
{
    private T? _current;

    public T Current => _current!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var payload = await ReadPayloadAsync(context, cancellationToken);
        if (payload is null)
        {
            return false;
        }
        _current = MessageFraming.Deserialize(payload, marshaller, "request");
        return true;
    }

    public static async Task<byte[]?> ReadPayloadAsync(HttpServerCallContext context, CancellationToken cancellationToken)
    {
        using var linked = cancellationToken.CanBeCanceled && cancellationToken != context.CancellationToken
            ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, cancellationToken)
            : null;
        return await PipeMessageReader.ReadMessageAsync(
            context.HttpContext.Request.BodyReader, context.RequestEncoding, context.MaxReceiveMessageSize,
            context.MessageCompletionTimeout, linked?.Token ?? context.CancellationToken);
    }
}
