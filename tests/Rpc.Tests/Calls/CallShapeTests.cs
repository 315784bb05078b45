using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Calls;

public sealed class CallShapeTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task A_unary_call_returns_the_reply(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);

        var reply = await f.Client.UnaryAsync(new EchoRequest { Text = "hello" });

        Assert.Equal("hello", reply.Text);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task A_server_streaming_call_delivers_every_message_then_ok(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);

        using var call = f.Client.ServerStream(new EchoRequest { Text = "x", Count = 50 });
        var indexes = new List<int>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(reply.Index);
        }

        Assert.Equal(Enumerable.Range(0, 50), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task A_client_streaming_call_sees_every_request_before_replying(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);

        using var call = f.Client.ClientStream();
        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        }
        await call.RequestStream.CompleteAsync();
        var reply = await call;

        Assert.Equal("a,b,c", reply.Text);
        Assert.Equal(3, reply.Index);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task A_duplex_call_answers_each_request_as_it_arrives(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);

        using var call = f.Client.Duplex();
        var replies = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            replies.Add(call.ResponseStream.Current.Text);
        }
        await call.RequestStream.CompleteAsync();
        var more = await call.ResponseStream.MoveNext(CancellationToken.None);

        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], replies);
        Assert.False(more);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("h2c")]
    [InlineData("mtls")]
    public async Task Buffered_writes_go_out_with_the_next_flushed_write_or_the_half_close(string transport)
    {
        await using var f = await EchoFixture.StartAsync(transport);

        // Duplex: three queued, then one flushed; all four are answered before the client half-closes.
        using var duplex = f.Client.Duplex();
        duplex.RequestStream.WriteOptions = WriteOptions.Buffered;
        for (var i = 0; i < 3; i++)
        {
            await duplex.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" });
        }
        duplex.RequestStream.WriteOptions = null;
        await duplex.RequestStream.WriteAsync(new EchoRequest { Text = "m3" });
        var replies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await duplex.ResponseStream.MoveNext(CancellationToken.None));
            replies.Add(duplex.ResponseStream.Current.Text);
        }
        await duplex.RequestStream.CompleteAsync();

        // Client stream: every message queued; the half-close sends them all.
        using var upload = f.Client.ClientStream();
        upload.RequestStream.WriteOptions = WriteOptions.Buffered;
        for (var i = 0; i < 52; i++)
        {
            await upload.RequestStream.WriteAsync(new EchoRequest { Text = $"o{i}" });
        }
        await upload.RequestStream.CompleteAsync();
        var reply = await upload;

        Assert.Equal(["m0", "m1", "m2", "m3"], replies);
        Assert.Equal(52, reply.Index);
        Assert.Equal(string.Join(',', Enumerable.Range(0, 52).Select(i => $"o{i}")), reply.Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task Many_concurrent_calls_share_one_channel()
    {
        await using var f = await EchoFixture.StartAsync("mtls");

        var replies = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i =>
            (await f.Client.UnaryAsync(new EchoRequest { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })).Text));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), replies);
    }
}
