using System.Net.Sockets;
using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Protocol;

/// <summary>Malformed and abusive input on the wire: each ends in a status or a closed stream, and the server keeps serving.</summary>
public sealed class HostileInputTests
{
    private const string UnaryPath = "/colabo.rpc.test.TestService/Unary";
    private const string DuplexPath = "/colabo.rpc.test.TestService/Duplex";

    [Fact(Timeout = 30_000)]
    public async Task A_length_prefix_above_the_limit_is_resource_exhausted_without_reading_the_payload()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();
        using var release = new CancellationTokenSource();

        var (status, message) = await raw.SendAsync(f.Server.Address, UnaryPath,
            new StallingContent([0, 0xFF, 0xFF, 0xFF, 0xF0], Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { }, TaskScheduler.Default)));
        await release.CancelAsync();

        Assert.Equal("8", status);
        Assert.Contains("exceeds the limit", message, StringComparison.Ordinal);
        Assert.Equal("ok", (await f.Client.UnaryAsync(new EchoRequest { Text = "ok" })).Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_that_ends_inside_a_message_is_internal()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();

        var (status, message) = await raw.SendAsync(f.Server.Address, UnaryPath, RawGrpcClient.Bytes(0, 0, 0, 0, 100, 1, 2, 3));

        Assert.Equal("13", status);
        Assert.Contains("Truncated", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_that_ends_inside_a_message_header_is_internal()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();

        var (status, _) = await raw.SendAsync(f.Server.Address, UnaryPath, RawGrpcClient.Bytes(0, 0, 0));

        Assert.Equal("13", status);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_compressed_flag_without_an_encoding_is_internal()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();

        var (status, message) = await raw.SendAsync(f.Server.Address, UnaryPath, RawGrpcClient.Bytes(1, 0, 0, 0, 2, 0x0a, 0x00));

        Assert.Equal("13", status);
        Assert.Contains("compressed", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unsupported_encoding_is_unimplemented()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();

        var (status, _) = await raw.SendAsync(f.Server.Address, UnaryPath, RawGrpcClient.Bytes(1, 0, 0, 0, 2, 0x0a, 0x00), encoding: "snappy");

        Assert.Equal("12", status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Invalid_gzip_is_internal()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();

        var (status, _) = await raw.SendAsync(f.Server.Address, UnaryPath, RawGrpcClient.Bytes(1, 0, 0, 0, 3, 9, 9, 9), encoding: "gzip");

        Assert.Equal("13", status);
    }

    [Fact(Timeout = 60_000)]
    public async Task Random_bodies_end_in_a_status_and_the_server_keeps_serving()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var raw = new RawGrpcClient();
        var random = new Random(1234);

        var statuses = new List<string?>();
        for (var i = 0; i < 50; i++)
        {
            var body = new byte[random.Next(1, 2000)];
            random.NextBytes(body);
            statuses.Add((await raw.SendAsync(f.Server.Address, i % 2 == 0 ? UnaryPath : DuplexPath, RawGrpcClient.Bytes(body))).Status);
        }

        Assert.All(statuses, s => Assert.False(string.IsNullOrEmpty(s)));
        Assert.Equal("alive", (await f.Client.UnaryAsync(new EchoRequest { Text = "alive" })).Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task Random_bytes_instead_of_http2_close_the_connection_and_the_server_keeps_serving()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        using var socket = new TcpClient();
        await socket.ConnectAsync(f.Server.Address.Host, f.Server.Address.Port);
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        var stream = socket.GetStream();

        await stream.WriteAsync(garbage);
        var buffer = new byte[65536];
        int n;
        try
        {
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a closed connection too.
        }

        Assert.Equal("alive", (await f.Client.UnaryAsync(new EchoRequest { Text = "alive" })).Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_stalling_inside_a_message_is_cut_off_while_others_are_served()
    {
        await using var f = await EchoFixture.StartAsync("h2c", server: o => o with { MessageCompletionTimeout = TimeSpan.FromMilliseconds(500) });
        using var raw = new RawGrpcClient();
        var never = new TaskCompletionSource();

        var stalled = raw.SendAsync(f.Server.Address, DuplexPath, new StallingContent([0, 0, 0, 0, 50, 0x0a], never.Task));
        var other = await f.Client.UnaryAsync(new EchoRequest { Text = "meanwhile" });
        var (status, message) = await stalled;
        never.SetResult();

        Assert.Equal("meanwhile", other.Text);
        Assert.Equal("1", status);
        Assert.Contains("stalled", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_thousand_streams_opened_and_abandoned_leave_no_handler_running_and_the_server_serving()
    {
        await using var f = await EchoFixture.StartAsync("h2c");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var calls = new List<AsyncDuplexStreamingCall<EchoRequest, EchoReply>>();
        for (var i = 0; i < 1000; i++)
        {
            var call = f.Client.Duplex();
            calls.Add(call);
        }
        await Task.WhenAll(calls.Take(100).Select(c => c.RequestStream.WriteAsync(new EchoRequest { Text = "half" })));
        foreach (var call in calls)
        {
            call.Dispose();
        }
        var settled = await WaitUntilAsync(() => f.Service.ActiveDuplexCalls == 0, TimeSpan.FromSeconds(20));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(settled, $"{f.Service.ActiveDuplexCalls} duplex handlers still running");
        Assert.Equal("alive", (await f.Client.UnaryAsync(new EchoRequest { Text = "alive" })).Text);
        Assert.True(after - before < 64L * 1024 * 1024, $"managed heap grew by {(after - before) / 1024 / 1024} MiB");
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await timer.WaitForNextTickAsync();
        }
        return true;
    }
}
