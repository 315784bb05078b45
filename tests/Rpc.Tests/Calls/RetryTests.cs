using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Calls;

public sealed class RetryTests
{
    [Fact(Timeout = 30_000)]
    public async Task An_idempotent_call_is_retried_when_the_connection_fails_before_any_response()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var flaky = new FailFirstAttempts(1);
        using var channel = f.NewChannel(new RpcChannelOptions { HttpHandler = flaky });

        var reply = await new TestService.TestServiceClient(channel).IdempotentUnaryAsync(new EchoRequest { Text = "again" });

        Assert.Equal("again", reply.Text);
        Assert.Equal(2, flaky.Attempts);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_call_that_is_not_idempotent_is_never_retried()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var flaky = new FailFirstAttempts(1);
        using var channel = f.NewChannel(new RpcChannelOptions { HttpHandler = flaky });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, flaky.Attempts);
    }

    [Fact(Timeout = 30_000)]
    public async Task Retries_stop_after_the_configured_attempts()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var flaky = new FailFirstAttempts(10);
        using var channel = f.NewChannel(new RpcChannelOptions { HttpHandler = flaky, MaxAttempts = 3 });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new TestService.TestServiceClient(channel).IdempotentUnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(3, flaky.Attempts);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_is_not_listening_is_unavailable_with_the_address_in_the_message()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = new RpcChannel(new Uri($"http://127.0.0.1:{port}"));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new TestService.TestServiceClient(channel).IdempotentUnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>Fails the first N sends as a refused connection would (no byte of a response), then passes through.</summary>
    private sealed class FailFirstAttempts(int failures) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _attempts;

        public int Attempts => _attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            return attempt <= failures
                ? Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (simulated)"))
                : base.SendAsync(request, cancellationToken);
        }
    }
}
