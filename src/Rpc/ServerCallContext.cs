namespace Colabo.Config.Rpc;

/// <summary>What a service handler knows about the call it is serving.</summary>
public abstract class ServerCallContext
{
    /// <summary>The full method path, "/package.Service/Method".</summary>
    public abstract string Method { get; }

    /// <summary>The remote address, "ipv4:1.2.3.4:5678" or "ipv6:[::1]:5678".</summary>
    public abstract string Peer { get; }

    /// <summary>The verified client certificate identity, or null on an anonymous or plaintext call.</summary>
    public abstract PeerIdentity? PeerIdentity { get; }

    /// <summary>The call's deadline (UTC), <see cref="DateTime.MaxValue"/> when the client set none.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>Fires when the client cancels, the deadline passes or the connection drops.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Custom request metadata (reserved gRPC and HTTP/2 headers removed).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Metadata added here is sent in the trailers with the status.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>Set to return a non-OK status without throwing; an <see cref="RpcException"/> does the same.</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>Sends response headers now (at most once, before the first message).</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);
}
