using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Calls;

public sealed class DeadlineAndCancellationTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task A_call_past_its_deadline_fails_with_deadline_exceeded_and_the_handler_is_cancelled(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.UnaryAsync(new EchoRequest { Hang = true }, CallOptions.WithTimeout(TimeSpan.FromSeconds(2))));
        await f.Service.HandlerCancelled.Task;

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_server_sees_the_deadline_the_client_set()
    {
        var seen = new TaskCompletionSource<(DateTime Deadline, DateTime At)>();
        await using var server = await RpcTestServer.StartAsync(new Server.RpcServerOptions(), app =>
            Server.RpcEndpointRouteBuilderExtensions.MapRpcService(app, new DeadlineProbe(seen)));
        using var channel = new RpcChannel(server.Address);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        var sent = DateTime.UtcNow;

        await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest(), new CallOptions(Deadline: deadline));
        var (serverDeadline, handledAt) = await seen.Task;

        // grpc-timeout carries the time left (rounded up to the millisecond), which the server adds to the moment
        // it reads it: never earlier than the client's deadline, later by at most the time the call took to arrive
        // (connecting included, which a loaded machine can stretch past a second).
        Assert.InRange(serverDeadline, deadline.AddMilliseconds(-1), deadline + (handledAt - sent) + TimeSpan.FromMilliseconds(1));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_already_expired_deadline_fails_without_reaching_the_handler()
    {
        await using var f = await EchoFixture.StartAsync("h2c");

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.UnaryAsync(new EchoRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.False(f.Service.HandlerStarted.Task.IsCompleted);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task Cancelling_on_the_client_cancels_the_handler(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);
        using var cts = new CancellationTokenSource();

        var call = f.Client.UnaryAsync(new EchoRequest { Hang = true }, new CallOptions(CancellationToken: cts.Token));
        await f.Service.HandlerStarted.Task;
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call);
        await f.Service.HandlerCancelled.Task;

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Disposing_a_streaming_call_cancels_the_handler()
    {
        await using var f = await EchoFixture.StartAsync("mtls");

        var call = f.Client.ServerStream(new EchoRequest { Count = 1, Hang = true });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        call.Dispose();
        await f.Service.HandlerCancelled.Task;

        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_cancels_a_stream_ends_the_clients_read_with_cancelled()
    {
        await using var f = await EchoFixture.StartAsync("h2c");

        using var call = f.Client.Duplex();
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "first" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.WriteAsync(new EchoRequest { FailWithCode = (int)StatusCode.Cancelled, FailWithMessage = "server gave up" });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("server gave up", error.Status.Detail);
    }

    private sealed class DeadlineProbe(TaskCompletionSource<(DateTime Deadline, DateTime At)> seen) : TestService.TestServiceBase
    {
        public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
        {
            seen.TrySetResult((context.Deadline, DateTime.UtcNow));
            return Task.FromResult(new EchoReply());
        }
    }
}
