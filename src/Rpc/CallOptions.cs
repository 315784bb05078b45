namespace Colabo.Config.Rpc;

/// <summary>Per-call options for a client call.</summary>
/// <param name="Deadline">Absolute UTC deadline; sent as grpc-timeout; the call fails with DEADLINE_EXCEEDED after it.</param>
/// <param name="Headers">Custom request metadata (keys ending in "-bin" carry bytes).</param>
/// <param name="CancellationToken">Cancels the call (the stream is reset; the server's token fires).</param>
public readonly record struct CallOptions(
    DateTime? Deadline = null,
    Metadata? Headers = null,
    CancellationToken CancellationToken = default)
{
    /// <summary>Convenience: a deadline this far from now.</summary>
    public static CallOptions WithTimeout(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new(DateTime.UtcNow + timeout, null, cancellationToken);
}
