using System.Buffers;
using System.Text;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// The calling thread's buffer for the JSON text the store writes (a node's states, a run's change log):
/// a report's values are written on one thread, so one buffer per thread serves them all.
/// </summary>
internal static class JsonTextBuffer
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>This thread's buffer, emptied.</summary>
    public static ArrayBufferWriter<byte> Take()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>What was written, as text; a buffer grown past 64 KB is not kept for the next value.</summary>
    public static string Text(ArrayBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null;
        }
        return text;
    }
}
