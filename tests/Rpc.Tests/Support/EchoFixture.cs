using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Server.Health;
using Colabo.Config.Rpc.Tests.Protos;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>An EchoService on a real Kestrel, over "h2c" or "mtls", with a connected client.</summary>
public sealed class EchoFixture : IAsyncDisposable
{
    private EchoFixture(RpcTestServer server, RpcChannel channel, EchoService service, MutualTls? tls)
    {
        Tls = tls;
        Server = server;
        Channel = channel;
        Service = service;
        Client = new TestService.TestServiceClient(channel);
    }

    public RpcTestServer Server { get; }

    /// <summary>The certificates in use on an "mtls" fixture.</summary>
    public MutualTls? Tls { get; }

    public RpcChannel Channel { get; }

    public EchoService Service { get; }

    public TestService.TestServiceClient Client { get; }

    public static async Task<EchoFixture> StartAsync(
        string transport,
        Func<RpcServerOptions, RpcServerOptions>? server = null,
        Func<RpcChannelOptions, RpcChannelOptions>? client = null)
    {
        RpcServerOptions serverOptions;
        RpcChannelOptions clientOptions;
        MutualTls? tls = null;
        if (transport == "mtls")
        {
            tls = new MutualTls();
            serverOptions = tls.ServerOptions();
            clientOptions = tls.ClientOptions();
        }
        else
        {
            serverOptions = new RpcServerOptions();
            clientOptions = new RpcChannelOptions();
        }
        serverOptions = server?.Invoke(serverOptions) ?? serverOptions;
        clientOptions = client?.Invoke(clientOptions) ?? clientOptions;
        var service = new EchoService();
        var host = await RpcTestServer.StartAsync(serverOptions, app =>
        {
            app.MapRpcService(service);
            app.MapRpcService(new HealthService(), allowAnonymous: true);
        });
        return new EchoFixture(host, new RpcChannel(host.Address, clientOptions), service, tls);
    }

    public RpcChannel NewChannel(RpcChannelOptions options) => new(Server.Address, options);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}
