using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Protocol;

/// <summary>HTTP/2 keepalive PINGs on a long-lived idle stream (the agent's Watch), seen on the wire.</summary>
public sealed class KeepAliveTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact(Timeout = 30_000)]
    public async Task The_client_pings_an_idle_connection_that_holds_an_open_stream()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        await using var proxy = new Http2TapProxy(f.Server.Address);
        using var channel = new RpcChannel(proxy.Address, new RpcChannelOptions { KeepAlivePingDelay = Second });
        var client = new TestService.TestServiceClient(channel);

        using var call = await OpenIdleStream(client);
        await proxy.ClientPing;

        Assert.True(proxy.ClientPing.IsCompletedSuccessfully);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_server_pings_an_idle_connection_that_holds_an_open_stream()
    {
        await using var f = await EchoFixture.StartAsync("h2c", server: o => o with { KeepAlivePingDelay = Second });
        await using var proxy = new Http2TapProxy(f.Server.Address);
        using var channel = new RpcChannel(proxy.Address, new RpcChannelOptions());
        var client = new TestService.TestServiceClient(channel);

        using var call = await OpenIdleStream(client);
        await proxy.ServerPing;

        Assert.True(proxy.ServerPing.IsCompletedSuccessfully);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_peer_that_stops_answering_pings_ends_the_open_stream_with_a_status_that_says_so()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        await using var proxy = new Http2TapProxy(f.Server.Address);
        using var channel = new RpcChannel(proxy.Address, new RpcChannelOptions { KeepAlivePingDelay = Second, KeepAlivePingTimeout = Second });
        var client = new TestService.TestServiceClient(channel);
        using var call = await OpenIdleStream(client);

        proxy.GoSilent();
        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.NotEqual(StatusCode.OK, failure.StatusCode);
        Assert.Contains("ping", failure.Status.Detail, StringComparison.OrdinalIgnoreCase);
        await proxy.ClosedByClient;
    }

    private static async Task<AsyncDuplexStreamingCall<EchoRequest, EchoReply>> OpenIdleStream(TestService.TestServiceClient client)
    {
        var call = client.Duplex();
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "hold" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call;
    }
}
