using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Server.Health;
using Colabo.Config.Rpc.Tests.Support;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Colabo.Config.Rpc.Tests.Health;

public sealed class HealthServiceTests
{
    [Fact(Timeout = 30_000)]
    public async Task Check_answers_serving_over_h2c()
    {
        await using var server = await RpcTestServer.StartAsync(new RpcServerOptions(), app => app.MapRpcService(new HealthService(), allowAnonymous: true));
        using var channel = new RpcChannel(server.Address);
        var client = new Grpc.Health.V1.Health.HealthClient(channel);

        var reply = await client.CheckAsync(new HealthCheckRequest());

        Assert.Equal(ServingStatus.Serving, reply.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Check_of_an_unknown_service_is_not_found()
    {
        await using var server = await RpcTestServer.StartAsync(new RpcServerOptions(), app => app.MapRpcService(new HealthService(), allowAnonymous: true));
        using var channel = new RpcChannel(server.Address);
        var client = new Grpc.Health.V1.Health.HealthClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(new HealthCheckRequest { Service = "nope" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Watch_streams_the_current_status_then_every_change()
    {
        var health = new HealthService();
        health.SetStatus("colabo.config.v1.AgentService", ServingStatus.NotServing);
        await using var server = await RpcTestServer.StartAsync(new RpcServerOptions(), app => app.MapRpcService(health, allowAnonymous: true));
        using var channel = new RpcChannel(server.Address);
        var client = new Grpc.Health.V1.Health.HealthClient(channel);
        using var cts = new CancellationTokenSource();

        using var call = client.Watch(new HealthCheckRequest { Service = "colabo.config.v1.AgentService" }, new CallOptions(CancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var first = call.ResponseStream.Current.Status;
        health.SetStatus("colabo.config.v1.AgentService", ServingStatus.Serving);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var second = call.ResponseStream.Current.Status;
        await cts.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(ServingStatus.NotServing, first);
        Assert.Equal(ServingStatus.Serving, second);
        Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Check_is_served_anonymously_over_mutual_tls()
    {
        var pki = TestPki.Create();
        var options = new RpcServerOptions { ServerCertificate = pki.IssueServer(), ClientCertificateAuthority = pki.AuthorityPublic };
        await using var server = await RpcTestServer.StartAsync(options, app => app.MapRpcService(new HealthService(), allowAnonymous: true));
        using var channel = new RpcChannel(server.Address, new RpcChannelOptions { TrustedCertificateAuthority = pki.AuthorityPublic });
        var client = new Grpc.Health.V1.Health.HealthClient(channel);

        var reply = await client.CheckAsync(new HealthCheckRequest());

        Assert.Equal(ServingStatus.Serving, reply.Status);
    }
}
