using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Calls;

public sealed class StatusAndMetadataTests
{
    public static TheoryData<string, StatusCode> Codes()
    {
        var data = new TheoryData<string, StatusCode>();
        foreach (var transport in new[] { "h2c", "mtls" })
        {
            foreach (var code in new[] { StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.PermissionDenied, StatusCode.FailedPrecondition, StatusCode.Unavailable, StatusCode.Internal })
            {
                data.Add(transport, code);
            }
        }
        return data;
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Codes))]
    public async Task A_handler_status_reaches_the_client_with_its_message_and_trailers(string transport, StatusCode code)
    {
        await using var f = await EchoFixture.StartAsync(transport);
        const string message = "node 'web-1' — 100% «drift» \n second line";

        using var call = f.Client.UnaryAsync(new EchoRequest { FailWithCode = (int)code, FailWithMessage = message });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call);

        Assert.Equal(code, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
        Assert.Equal("requested", error.Trailers.GetValue("x-failure-reason"));
        Assert.Equal(code, call.GetStatus().StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_status_after_streamed_messages_arrives_in_the_trailers()
    {
        await using var f = await EchoFixture.StartAsync("h2c");

        using var call = f.Client.Duplex();
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "ok" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.WriteAsync(new EchoRequest { FailWithCode = (int)StatusCode.Aborted, FailWithMessage = "conflict" });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("requested", error.Trailers.GetValue("x-failure-reason"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_stream_the_server_rejects_early_ends_with_the_servers_status()
    {
        await using var f = await EchoFixture.StartAsync("mtls");

        using var call = f.Client.ClientStream();
        await call.RequestStream.WriteAsync(new EchoRequest { FailWithCode = (int)StatusCode.InvalidArgument, FailWithMessage = "bad first record" });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call);
        var late = await Record.ExceptionAsync(() => call.RequestStream.WriteAsync(new EchoRequest { Text = "too late" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("bad first record", error.Status.Detail);
        Assert.True(late is RpcException { StatusCode: StatusCode.InvalidArgument } or InvalidOperationException, $"unexpected {late}");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_handler_exception_becomes_internal_without_details_and_is_logged()
    {
        await using var f = await EchoFixture.StartAsync("h2c");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await f.Client.UnaryAsync(new EchoRequest { FailWithCode = -1 }));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.DoesNotContain("shadow", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Handler.cs", error.Message, StringComparison.Ordinal);
        Assert.Contains(f.Server.Logs.Lines, l => l.StartsWith("Error:", StringComparison.Ordinal) && l.Contains("/colabo.rpc.test.TestService/Unary", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unknown_method_is_unimplemented()
    {
        await using var f = await EchoFixture.StartAsync("mtls");
        var missing = new Method<EchoRequest, EchoReply>(MethodType.Unary, "colabo.rpc.test.TestService", "Missing",
            Marshallers.ForProtobuf(EchoRequest.Parser), Marshallers.ForProtobuf(EchoReply.Parser));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await f.Channel.CallInvoker.AsyncUnaryCall(missing, new EchoRequest(), default));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("/colabo.rpc.test.TestService/Missing", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task Custom_and_binary_metadata_reach_the_handler_and_trailers_come_back(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);
        var binary = new byte[] { 0, 1, 2, 254, 255 };
        var headers = new Metadata().Add("x-echo", "plain value").Add("x-echo-bin", binary).Add("x-trailer", "t1");

        using var call = f.Client.UnaryAsync(new EchoRequest(), new CallOptions(Headers: headers));
        var reply = await call;

        Assert.Equal("plain value", reply.SeenHeader);
        Assert.Equal(binary, reply.SeenBinaryHeader.ToByteArray());
        Assert.Equal("t1", call.GetTrailers().GetValue("x-trailer-echo"));
        Assert.Equal(new byte[] { 1, 2, 255 }, call.GetTrailers().GetValueBytes("x-trailer-echo-bin"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Response_headers_written_by_the_handler_reach_the_client_before_any_message()
    {
        var release = new TaskCompletionSource();
        await using var server = await RpcTestServer.StartAsync(new Server.RpcServerOptions(), app =>
            Server.RpcEndpointRouteBuilderExtensions.MapRpcService(app, new HeaderFirstService(release.Task)));
        using var channel = new RpcChannel(server.Address);

        using var call = new TestService.TestServiceClient(channel).ServerStream(new EchoRequest());
        var headers = await call.ResponseHeadersAsync;
        release.SetResult();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal("early", headers.GetValue("x-stage"));
    }

    private sealed class HeaderFirstService(Task release) : TestService.TestServiceBase
    {
        public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            await context.WriteResponseHeadersAsync(new Metadata().Add("x-stage", "early"));
            await release.WaitAsync(context.CancellationToken);
            await responseStream.WriteAsync(new EchoReply { Text = "late" }, context.CancellationToken);
        }
    }
}
