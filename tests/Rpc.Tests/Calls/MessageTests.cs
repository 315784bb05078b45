using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;
using Google.Protobuf;

namespace Colabo.Config.Rpc.Tests.Calls;

public sealed class MessageTests
{
    private const int MiB = 1024 * 1024;

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task A_message_just_under_the_limit_travels_both_ways(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);
        var payload = ByteString.CopyFrom(new byte[(4 * MiB) - 64]);

        var reply = await f.Client.UnaryAsync(new EchoRequest { Payload = payload });

        Assert.Equal(payload.Length, reply.Payload.Length);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_request_over_the_servers_receive_limit_is_resource_exhausted()
    {
        await using var f = await EchoFixture.StartAsync("h2c",
            server: o => o with { MaxReceiveMessageSize = MiB },
            client: o => o with { MaxSendMessageSize = 8 * MiB });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2 * MiB]) }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("exceeds the limit", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_request_over_the_clients_send_limit_fails_before_sending()
    {
        await using var f = await EchoFixture.StartAsync("h2c");

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[5 * MiB]) }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.False(f.Service.HandlerStarted.Task.IsCompleted);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_reply_over_the_clients_receive_limit_is_resource_exhausted()
    {
        await using var f = await EchoFixture.StartAsync("h2c", client: o => o with { MaxReceiveMessageSize = MiB });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.UnaryAsync(new EchoRequest { ResponseSize = 2 * MiB }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_reply_over_the_servers_send_limit_is_resource_exhausted()
    {
        await using var f = await EchoFixture.StartAsync("h2c", server: o => o with { MaxSendMessageSize = MiB });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.UnaryAsync(new EchoRequest { ResponseSize = 2 * MiB }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Gzip_compresses_requests_and_replies_on_the_wire()
    {
        await using var f = await EchoFixture.StartAsync("h2c", server: o => o with { ResponseCompression = "gzip" });
        using var recorder = new WireRecorder();
        using var channel = f.NewChannel(new RpcChannelOptions { RequestCompression = "gzip", HttpHandler = recorder });
        var client = new TestService.TestServiceClient(channel);
        var payload = ByteString.CopyFrom(new byte[MiB]);

        var reply = await client.UnaryAsync(new EchoRequest { Text = "zip", Payload = payload });

        Assert.Equal(payload, reply.Payload);
        Assert.Equal("gzip", recorder.RequestEncoding);
        Assert.Equal("gzip", recorder.ResponseEncoding);
        Assert.InRange(recorder.RequestBodyBytes, 1, 64 * 1024);
        Assert.InRange(recorder.ResponseBodyBytes, 1, 64 * 1024);
    }

    [Fact(Timeout = 30_000)]
    public async Task Replies_are_not_compressed_for_a_client_that_does_not_accept_gzip()
    {
        await using var f = await EchoFixture.StartAsync("mtls", server: o => o with { ResponseCompression = "gzip" });
        using var stream = f.Client.ServerStream(new EchoRequest { Count = 3, ResponseSize = 100_000 });

        var sizes = new List<int>();
        await foreach (var r in stream.ResponseStream.ReadAllAsync())
        {
            sizes.Add(r.Payload.Length);
        }

        Assert.Equal([100_000, 100_000, 100_000], sizes);
    }

    /// <summary>Counts what crosses the wire: the body bytes and the grpc-encoding headers each way.</summary>
    private sealed class WireRecorder() : DelegatingHandler(new SocketsHttpHandler())
    {
        public string? RequestEncoding { get; private set; }

        public string? ResponseEncoding { get; private set; }

        public long RequestBodyBytes { get; private set; }

        public long ResponseBodyBytes { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            RequestEncoding = request.Headers.TryGetValues("grpc-encoding", out var re) ? re.First() : null;
            RequestBodyBytes = (await request.Content!.ReadAsByteArrayAsync(cancellationToken)).Length;
            var response = await base.SendAsync(request, cancellationToken);
            ResponseEncoding = response.Headers.TryGetValues("grpc-encoding", out var pe) ? pe.First() : null;
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            ResponseBodyBytes = body.Length;
            var copy = new ByteArrayContent(body);
            foreach (var h in response.Content.Headers)
            {
                copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
            response.Content = copy;
            return response;
        }
    }
}
