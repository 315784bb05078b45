using Colabo.Config.Rpc.Tests.Protos;

namespace Colabo.Config.Rpc.Tests.Generator;

/// <summary>What the source generator made of tests/Rpc.Tests/Protos/test.proto and proto/grpc/health/v1/health.proto.</summary>
public sealed class GeneratedBindingsTests
{
    [Fact]
    public void Each_rpc_gets_a_descriptor_with_its_path_and_call_shape()
    {
        Assert.Equal("/colabo.rpc.test.TestService/Unary", TestService.UnaryMethod.FullName);
        Assert.Equal(MethodType.Unary, TestService.UnaryMethod.Type);
        Assert.Equal(MethodType.ServerStreaming, TestService.ServerStreamMethod.Type);
        Assert.Equal(MethodType.ClientStreaming, TestService.ClientStreamMethod.Type);
        Assert.Equal(MethodType.DuplexStreaming, TestService.DuplexMethod.Type);
        Assert.Equal("/grpc.health.v1.Health/Watch", Grpc.Health.V1.Health.WatchMethod.FullName);
    }

    [Fact]
    public void Only_rpcs_marked_idempotent_in_the_proto_are_retryable()
    {
        Assert.True(TestService.IdempotentUnaryMethod.IsIdempotent);
        Assert.False(TestService.UnaryMethod.IsIdempotent);
    }

    [Fact]
    public void The_service_base_binds_every_method()
    {
        var binder = new RecordingBinder();

        ((IRpcService)new Support.EchoService()).Bind(binder);

        Assert.Equal(["Unary", "IdempotentUnary", "ServerStream", "ClientStream", "Duplex"], binder.Names);
        Assert.Equal("colabo.rpc.test.TestService", ((IRpcService)new Support.EchoService()).ServiceName);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_method_the_service_does_not_override_answers_unimplemented()
    {
        var service = new EmptyService();

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Unary(new EchoRequest(), null!));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    private sealed class EmptyService : TestService.TestServiceBase;

    private sealed class RecordingBinder : ServiceBinder
    {
        public List<string> Names { get; } = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler) => Names.Add(method.Name);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler) => Names.Add(method.Name);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler) => Names.Add(method.Name);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler) => Names.Add(method.Name);
    }
}
