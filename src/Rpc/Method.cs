namespace Colabo.Config.Rpc;

/// <summary>What both sides know about one RPC, independent of its message types.</summary>
public interface IMethod
{
    MethodType Type { get; }

    string ServiceName { get; }

    string Name { get; }

    /// <summary>The HTTP/2 path: "/package.Service/Method".</summary>
    string FullName { get; }

    /// <summary>
    /// True when the .proto marks the rpc with <c>option idempotency_level = IDEMPOTENT</c> or
    /// <c>NO_SIDE_EFFECTS</c>; only such calls are retried transparently.
    /// </summary>
    bool IsIdempotent { get; }
}

/// <summary>A typed RPC descriptor; generated code creates one per rpc of a service.</summary>
public sealed class Method<TRequest, TResponse> : IMethod
{
    public Method(
        MethodType type,
        string serviceName,
        string name,
        Marshaller<TRequest> requestMarshaller,
        Marshaller<TResponse> responseMarshaller,
        bool isIdempotent = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestMarshaller = requestMarshaller ?? throw new ArgumentNullException(nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new ArgumentNullException(nameof(responseMarshaller));
        IsIdempotent = isIdempotent;
    }

    public MethodType Type { get; }

    public string ServiceName { get; }

    public string Name { get; }

    public string FullName { get; }

    public bool IsIdempotent { get; }

    public Marshaller<TRequest> RequestMarshaller { get; }

    public Marshaller<TResponse> ResponseMarshaller { get; }

    public override string ToString() => FullName;
}
