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
        var token = linked?.Token ?? context.CancellationToken;
        var body = context.HttpContext.Request.Body;
        if (context.MessageCompletionTimeout is not { } limit)
        {
            return await MessageFraming.ReadMessageAsync(body, context.RequestEncoding, context.MaxReceiveMessageSize, token);
        }
        // Wait for the first byte without a limit (streams may idle), then bound the rest of the message.
        var stalled = new StallGuardStream(body, limit, token);
        try
        {
            return await MessageFraming.ReadMessageAsync(stalled, context.RequestEncoding, context.MaxReceiveMessageSize, stalled.Token);
        }
        catch (OperationCanceledException) when (stalled.Stalled && !token.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.Cancelled, $"The client stalled for more than {limit.TotalSeconds:0} s in the middle of a request message.");
        }
        finally
        {
            stalled.DisposeGuard();
        }
    }
}

/// <summary>A read-only view of the request body that starts a timer at the first byte of a message.</summary>
internal sealed class StallGuardStream(Stream inner, TimeSpan limit, CancellationToken outer) : Stream
{
    private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
    private bool _started;

    public CancellationToken Token => _cts.Token;

    public bool Stalled { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (!_started && n > 0)
        {
            _started = true;
            _cts.Token.Register(() => Stalled = !outer.IsCancellationRequested);
            _cts.CancelAfter(limit);
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public void DisposeGuard() => _cts.Dispose();
}
