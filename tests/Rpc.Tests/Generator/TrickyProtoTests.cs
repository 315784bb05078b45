using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Tests.Support;
using Colabo.Rpc.Test.TrickyNames;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Rpc.Tests.Generator;

public sealed class TrickyProtoTests
{
    [Fact]
    public void Nested_types_well_known_types_and_idempotency_options_are_resolved()
    {
        Assert.Equal("/colabo.rpc.test.tricky_names.Tricky/Ping", Tricky.PingMethod.FullName);
        Assert.True(Tricky.PingMethod.IsIdempotent);
        Assert.False(Tricky.NestedMethod.IsIdempotent);
        Assert.Equal(MethodType.ServerStreaming, Tricky.NestedMethod.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_service_from_a_proto_without_csharp_namespace_serves_and_calls()
    {
        await using var server = await RpcTestServer.StartAsync(new RpcServerOptions(), app => app.MapRpcService(new TrickyService()));
        using var channel = new RpcChannel(server.Address);
        var client = new Tricky.TrickyClient(channel);

        var pong = await client.PingAsync(new Empty());
        using var call = client.Nested(new Outer.Types.Inner { Value = "v" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal("pong", pong.Value);
        Assert.Equal("v", call.ResponseStream.Current.Inner.Value);
    }

    private sealed class TrickyService : Tricky.TrickyBase
    {
        public override Task<Outer.Types.Inner> Ping(Empty request, ServerCallContext context) =>
            Task.FromResult(new Outer.Types.Inner { Value = "pong" });

        public override async Task Nested(Outer.Types.Inner request, IServerStreamWriter<Outer> responseStream, ServerCallContext context) =>
            await responseStream.WriteAsync(new Outer { Inner = request }, context.CancellationToken);
    }
}
