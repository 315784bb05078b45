using Colabo.Config.Rpc.Server.Internal;
using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Protocol;

/// <summary>
/// Each connection encodes response headers into a small buffer (RpcServerOptions.HeaderEncodingBufferSize)
/// instead of Kestrel's 16 KB one: headers and trailers larger than it still arrive whole, split into
/// HEADERS and CONTINUATION frames, seen on the wire through the tap proxy.
/// </summary>
public sealed class HeaderFramesTests
{
    private const byte Continuation = 0x9;

    // 3,299 characters: more than the small buffer holds, far less than one 16 KB frame.
    private static readonly string s_large = string.Join(' ', Enumerable.Range(0, 300).Select(i => $"drift-{i:D4}"));

    [Theory(Timeout = 30_000)]
    [InlineData(1024, true)]
    [InlineData(0, false)]
    public async Task Trailers_and_a_status_message_larger_than_the_buffer_arrive_whole_in_continuation_frames(int size, bool split)
    {
        Assert.True(HeaderEncodingBuffers.Supported, "Kestrel's shape on .NET 10 is the known one");
        await using var f = await EchoFixture.StartAsync("h2c", server: o => o with { HeaderEncodingBufferSize = size });
        await using var proxy = new Http2TapProxy(f.Server.Address);
        using var channel = new RpcChannel(proxy.Address, new RpcChannelOptions());
        var client = new TestService.TestServiceClient(channel);

        // Small headers fit the small buffer: one HEADERS frame each, as before.
        Assert.Equal("small", (await client.UnaryAsync(new EchoRequest { Text = "small" })).Text);
        Assert.Equal(0, proxy.FramesFromServer(Continuation));

        // Trailers after a message: grpc-status, then a 3.3 KB field.
        using (var call = client.UnaryAsync(new EchoRequest { Text = "big" }, new CallOptions(Headers: new Metadata().Add("x-trailer", s_large))))
        {
            Assert.Equal("big", (await call).Text);
            Assert.Equal(s_large, call.GetTrailers().GetValue("x-trailer-echo"));
            Assert.Equal([1, 2, 255], call.GetTrailers().GetValueBytes("x-trailer-echo-bin"));
        }
        var afterTrailers = proxy.FramesFromServer(Continuation);

        // A trailers-only response (an error before any message) with a 3.3 KB status message.
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryAsync(new EchoRequest { FailWithCode = (int)StatusCode.FailedPrecondition, FailWithMessage = s_large }));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(s_large, error.Status.Detail);
        Assert.Equal("requested", error.Trailers.GetValue("x-failure-reason"));

        Assert.Equal(split, afterTrailers > 0);
        Assert.Equal(split, proxy.FramesFromServer(Continuation) > afterTrailers);
        Assert.Equal("after", (await client.UnaryAsync(new EchoRequest { Text = "after" })).Text);
    }
}
