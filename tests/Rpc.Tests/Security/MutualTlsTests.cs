using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Server.Health;
using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Security;

public sealed class MutualTlsTests
{
    private static async Task<RpcTestServer> StartAsync(MutualTls tls, IClientCertificateRevocationCheck? revocation = null) =>
        await RpcTestServer.StartAsync(tls.ServerOptions(revocation), app =>
        {
            app.MapRpcService(new EchoService());
            app.MapRpcService(new HealthService());
        });

    [Fact(Timeout = 30_000)]
    public async Task A_client_with_a_certificate_from_the_CA_is_served_and_its_identity_reaches_the_handler()
    {
        var tls = new MutualTls();
        await using var server = await StartAsync(tls);
        using var channel = new RpcChannel(server.Address, tls.ClientOptions());
        var client = new TestService.TestServiceClient(channel);

        var reply = await client.UnaryAsync(new EchoRequest { Text = "hi" });
        using var stream = client.ServerStream(new EchoRequest { Text = "s", Count = 3 });
        var streamed = new List<EchoReply>();
        await foreach (var r in stream.ResponseStream.ReadAllAsync())
        {
            streamed.Add(r);
        }

        Assert.Equal("hi", reply.Text);
        Assert.Equal("node-1.example.org", reply.PeerCommonName);
        Assert.Equal([0, 1, 2], streamed.Select(r => r.Index));
    }
}
