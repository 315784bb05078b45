using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Colabo.Config.Rpc.Internal;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>
/// Reads request messages straight from Kestrel's body pipe. A message that is already buffered costs no
/// timer; only when a message is incomplete is a stall timer armed (a peer that stops mid-message is cut off).
/// </summary>
internal static class PipeMessageReader
{
    public static async ValueTask<byte[]?> ReadMessageAsync(
        PipeReader reader, string? encoding, int maxSize, TimeSpan? stallLimit, CancellationToken cancellationToken)
    {
        CancellationTokenSource? stall = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(stall?.Token ?? cancellationToken);
                var buffer = result.Buffer;
                if (TryParse(ref buffer, encoding, maxSize, out var payload))
                {
                    reader.AdvanceTo(buffer.Start);
                    return payload;
                }
                if (result.IsCompleted)
                {
                    var length = buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    if (length == 0)
                    {
                        return null;
                    }
                    throw new RpcException(StatusCode.Internal, length < GrpcProtocol.HeaderSize
                        ? $"Truncated message: the stream ended after {length} of the 5 bytes of a message header."
                        : $"Truncated message: the stream ended inside a message ({length} bytes of it received).");
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (buffer.Length > 0 && stallLimit is { } limit && stall is null)
                {
                    stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    stall.CancelAfter(limit);
                }
            }
        }
        catch (OperationCanceledException) when (stall?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.Cancelled, $"The client stalled for more than {stallLimit!.Value.TotalSeconds:0.#} s in the middle of a request message.");
        }
        finally
        {
            stall?.Dispose();
        }
    }

    /// <summary>Parses one whole message off the front of the buffer (advancing it), or returns false to wait for more.</summary>
    private static bool TryParse(ref ReadOnlySequence<byte> buffer, string? encoding, int maxSize, out byte[]? payload)
    {
        payload = null;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        var flag = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (flag > 1)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid message frame: compressed flag is {flag}, expected 0 or 1.");
        }
        if (length > (uint)maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message of {length} bytes exceeds the limit of {maxSize} bytes.");
        }
        if (flag == 1 && (encoding is null || encoding.Equals(GrpcProtocol.Identity, StringComparison.OrdinalIgnoreCase)))
        {
            throw new RpcException(StatusCode.Internal, "Message is marked compressed but no grpc-encoding was negotiated.");
        }
        if (buffer.Length < GrpcProtocol.HeaderSize + length)
        {
            return false;
        }
        var data = buffer.Slice(GrpcProtocol.HeaderSize, length).ToArray();
        buffer = buffer.Slice(GrpcProtocol.HeaderSize + length);
        payload = flag == 1 ? MessageFraming.Decompress(data, maxSize) : data;
        return true;
    }
}
