using Microsoft.Extensions.DependencyInjection;

namespace Colabo.Config.Rpc.Server;

public static class RpcServiceCollectionExtensions
{
    /// <summary>Registers the options every mapped service uses (limits, compression, mTLS).</summary>
    public static IServiceCollection AddRpcServer(this IServiceCollection services, RpcServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddRouting();
        services.AddSingleton(options);
        return services;
    }
}
