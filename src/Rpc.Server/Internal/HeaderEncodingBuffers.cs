using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>
/// Gives each HTTP/2 connection a small buffer to encode response headers into. Kestrel allocates one per
/// connection as large as the largest frame the peer accepts (16 KB at least) and keeps it for the
/// connection's life, although a gRPC response's headers and trailers take some tens of bytes: at 10,000
/// agents each holding a Watch stream that is 157 MiB of the master's heap. Kestrel already encodes headers
/// larger than the buffer (a HEADERS frame, then CONTINUATION frames; a single field too large for it goes
/// through a pooled buffer), so a smaller one changes only how large headers are split into frames, never
/// what arrives. .NET does not expose the buffer; this replaces it through private fields of .NET 10's
/// Kestrel (<c>Http2Stream._context.FrameWriter._headerEncodingBuffer</c>, under the frame writer's own
/// lock), checked by name and type. On any other runtime or shape it does nothing.
/// </summary>
internal static class HeaderEncodingBuffers
{
    private const string Http2 = "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http2.";

    private static readonly Shape? s_shape = Find();

    /// <summary>True when this runtime's Kestrel has the known shape and buffers can be replaced.</summary>
    public static bool Supported => s_shape is not null;

    /// <summary>
    /// Replaces the header-encoding buffer of the connection carrying this request with one of
    /// <paramref name="size"/> bytes when it is larger (0 or less: leaves it); cheap when it already is that
    /// small. Does nothing where the buffer cannot be reached (HTTP/1.1, another shape).
    /// </summary>
    public static void Shrink(HttpContext http, int size)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (size <= 0 || s_shape is not { } shape || http.Features.Get<IHttp2StreamIdFeature>() is not { } stream
            || !shape.Stream.IsInstanceOfType(stream)
            || shape.Context.GetValue(stream) is not { } context
            || shape.FrameWriter.GetValue(context) is not { } writer
            || shape.Buffer.GetValue(writer) is not byte[] buffer || buffer.Length <= size)
        {
            return;
        }
        // The frame writer encodes headers into the buffer under this lock (and replaces it under it when
        // the peer changes its largest frame size), so swapping it under the same lock is safe.
        var gate = (Lock)shape.WriteLock.GetValue(writer)!;
        lock (gate)
        {
            if (shape.Buffer.GetValue(writer) is byte[] current && current.Length > size)
            {
                shape.Buffer.SetValue(writer, new byte[size]);
            }
        }
    }

    private sealed record Shape(Type Stream, FieldInfo Context, PropertyInfo FrameWriter, FieldInfo Buffer, FieldInfo WriteLock);

    private static Shape? Find()
    {
        if (Environment.Version.Major != 10)
        {
            return null;
        }
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var kestrel = typeof(IHttp2StreamIdFeature).Assembly;
        var stream = kestrel.GetType(Http2 + "Http2Stream");
        var streamContext = kestrel.GetType(Http2 + "Http2StreamContext");
        var frameWriter = kestrel.GetType(Http2 + "Http2FrameWriter");
        if (stream is null || streamContext is null || frameWriter is null)
        {
            return null;
        }
        var context = stream.GetField("_context", Instance | BindingFlags.DeclaredOnly);
        var writer = streamContext.GetProperty("FrameWriter", Instance);
        var buffer = frameWriter.GetField("_headerEncodingBuffer", Instance);
        var writeLock = frameWriter.GetField("_writeLock", Instance);
        return context?.FieldType == streamContext && writer?.PropertyType == frameWriter && writer.GetMethod is not null
            && buffer?.FieldType == typeof(byte[]) && !buffer.IsInitOnly && writeLock?.FieldType == typeof(Lock)
                ? new Shape(stream, context, writer, buffer, writeLock)
                : null;
    }
}
