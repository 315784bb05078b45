using System.Globalization;
using System.Runtime.CompilerServices;
using Colabo.Config.Rpc.Internal;
using Colabo.Config.Rpc.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Colabo.Config.Rpc.Server;

public static class RpcEndpointRouteBuilderExtensions
{
    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, object> s_fallbackMapped = [];

    /// <summary>
    /// Serves a generated service (any <c>XxxBase</c> subclass) at its gRPC paths, plus UNIMPLEMENTED for
    /// unknown gRPC paths. Options come from <see cref="RpcServiceCollectionExtensions.AddRpcServer"/>.
    /// </summary>
    /// <param name="allowAnonymous">True for services callable without a client certificate (health, enrollment).</param>
    public static IEndpointConventionBuilder MapRpcService(this IEndpointRouteBuilder endpoints, IRpcService service, bool allowAnonymous = false)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(service);
        var options = endpoints.ServiceProvider.GetService<RpcServerOptions>() ?? new RpcServerOptions();
        var logger = (endpoints.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Colabo.Config.Rpc.Server");
        var mapped = new List<IEndpointConventionBuilder>();
        service.Bind(new EndpointServiceBinder(endpoints, options, allowAnonymous, logger, mapped));
        MapUnimplementedFallback(endpoints);
        return new CompositeConventionBuilder(mapped);
    }

    private static void MapUnimplementedFallback(IEndpointRouteBuilder endpoints)
    {
        if (s_fallbackMapped.TryGetValue(endpoints, out _))
        {
            return;
        }
        s_fallbackMapped.Add(endpoints, new object());
        endpoints.MapPost("/{service}/{method}", static (HttpContext http) =>
        {
            if (!GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcProtocol.ContentType;
            response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Unimplemented).ToString(CultureInfo.InvariantCulture);
            response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage($"Method {http.Request.Path} is not implemented by this server.");
            return Task.CompletedTask;
        }).WithDisplayName("gRPC unimplemented");
    }

    private sealed class CompositeConventionBuilder(List<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
