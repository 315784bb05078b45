namespace Colabo.Config.Rpc;

/// <summary>A stream of incoming messages: call MoveNext until it returns false.</summary>
public interface IAsyncStreamReader<out T>
{
    T Current { get; }

    Task<bool> MoveNext(CancellationToken cancellationToken);
}

/// <summary>A stream of outgoing messages.</summary>
public interface IAsyncStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}

/// <summary>The server's side of a response stream.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>;

/// <summary>The client's side of a request stream; complete it to half-close.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>
    /// Options for the following writes. With <see cref="WriteOptions.BufferHint"/>, a message is queued on
    /// the connection without being flushed; the next write without the hint, or <see cref="CompleteAsync"/>,
    /// sends everything queued together (one TLS record and socket write instead of one per message).
    /// </summary>
    WriteOptions? WriteOptions { get; set; }

    Task CompleteAsync();
}

/// <summary>How a stream writer sends its next messages.</summary>
/// <param name="BufferHint">Queue the message without flushing it yet (more follow right away).</param>
public sealed record WriteOptions(bool BufferHint = false)
{
    public static readonly WriteOptions Buffered = new(BufferHint: true);
}

public static class AsyncStreamReaderExtensions
{
    /// <summary>Enumerates the remaining messages of a stream.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(
        this IAsyncStreamReader<T> reader,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNext(cancellationToken))
        {
            yield return reader.Current;
        }
    }
}
