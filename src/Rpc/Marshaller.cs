namespace Colabo.Config.Rpc;

public delegate void MessageSerializer<in T>(T message, Span<byte> destination);

public delegate T MessageDeserializer<out T>(ReadOnlySpan<byte> data);

/// <summary>Turns messages into bytes and back without reflection (so the agent stays trim-safe).</summary>
public sealed class Marshaller<T>
{
    public Marshaller(Func<T, int> computeSize, MessageSerializer<T> serializer, MessageDeserializer<T> deserializer)
    {
        ComputeSize = computeSize ?? throw new ArgumentNullException(nameof(computeSize));
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    public Func<T, int> ComputeSize { get; }

    public MessageSerializer<T> Serializer { get; }

    public MessageDeserializer<T> Deserializer { get; }
}
