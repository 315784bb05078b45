using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Colabo.Config.Rpc.Internal;

/// <summary>
/// The gRPC message frame: 1 byte compressed flag, 4 bytes big-endian length, the payload.
/// Shared by the client and the server; every malformed input becomes an <see cref="RpcException"/>.
/// </summary>
internal static class MessageFraming
{
    /// <summary>Reads one message payload, or null at a clean end of stream (no byte of a next message).</summary>
    public static async ValueTask<byte[]?> ReadMessageAsync(
        Stream stream, string? encoding, int maxSize, CancellationToken cancellationToken)
    {
        var header = new byte[GrpcProtocol.HeaderSize];
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }
        if (read < header.Length)
        {
            throw new RpcException(StatusCode.Internal, $"Truncated message: the stream ended after {read} of the 5 bytes of a message header.");
        }
        var flag = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
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
        var payload = length == 0 ? [] : new byte[length];
        if (length > 0)
        {
            read = await stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, cancellationToken);
            if (read < payload.Length)
            {
                throw new RpcException(StatusCode.Internal, $"Truncated message: the stream ended after {read} of {length} payload bytes.");
            }
        }
        if (flag == 1)
        {
            if (!encoding!.Equals(GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(StatusCode.Unimplemented, $"Unsupported message encoding '{encoding}'; supported: {GrpcProtocol.SupportedEncodings}.");
            }
            payload = Decompress(payload, maxSize);
        }
        return payload;
    }

    /// <summary>Serializes, optionally gzips, frames and writes one message.</summary>
    public static async ValueTask WriteMessageAsync<T>(
        Stream stream, T message, Marshaller<T> marshaller, bool compress, int maxSize, CancellationToken cancellationToken, bool flush = true)
    {
        var frame = Frame(message, marshaller, compress, maxSize, out var frameLength);
        try
        {
            await stream.WriteAsync(frame.AsMemory(0, frameLength), cancellationToken);
            if (flush)
            {
                await stream.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Builds a frame in a pooled buffer (return it to <see cref="ArrayPool{T}.Shared"/>).</summary>
    public static byte[] Frame<T>(T message, Marshaller<T> marshaller, bool compress, int maxSize, out int frameLength)
    {
        var size = marshaller.ComputeSize(message);
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message of {size} bytes exceeds the limit of {maxSize} bytes.");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(GrpcProtocol.HeaderSize + size);
        try
        {
            marshaller.Serializer(message, buffer.AsSpan(GrpcProtocol.HeaderSize, size));
            if (compress)
            {
                var compressed = Compress(buffer.AsSpan(GrpcProtocol.HeaderSize, size));
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(GrpcProtocol.HeaderSize + compressed.Length);
                compressed.CopyTo(buffer.AsSpan(GrpcProtocol.HeaderSize));
                size = compressed.Length;
            }
            buffer[0] = compress ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
            frameLength = GrpcProtocol.HeaderSize + size;
            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public static T Deserialize<T>(byte[] payload, Marshaller<T> marshaller, string what)
    {
        try
        {
            return marshaller.Deserializer(payload);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize {what} message."), new Metadata(), ex);
        }
    }

    private static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    internal static byte[] Decompress(byte[] data, int maxSize)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + n > maxSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted, $"Decompressed message exceeds the limit of {maxSize} bytes.");
                }
                output.Write(chunk, 0, n);
            }
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Compressed message is not valid gzip."), new Metadata(), ex);
        }
    }
}
