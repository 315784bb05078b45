using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Rpc.Server.Internal;

/// <summary>Maps each method of a service to a POST endpoint at its gRPC path.</summary>
internal sealed class EndpointServiceBinder(
    IEndpointRouteBuilder endpoints, RpcServerOptions options, bool allowAnonymous, ILogger logger, List<IEndpointConventionBuilder> mapped)
    : ServiceBinder
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler) =>
        Map(method, handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler) =>
        Map(method, handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler) =>
        Map(method, handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler) =>
        Map(method, handler);

    private void Map<TRequest, TResponse>(Method<TRequest, TResponse> method, Delegate handler)
        where TRequest : class where TResponse : class
    {
        var callHandler = new ServerCallHandler<TRequest, TResponse>(
            method, handler, options, allowAnonymous || options.IsAnonymous(method), logger);
        mapped.Add(endpoints.MapPost(method.FullName, callHandler.HandleAsync).WithDisplayName("gRPC " + method.FullName));
    }
}
