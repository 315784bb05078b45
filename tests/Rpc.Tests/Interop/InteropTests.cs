using System.Text.Json;
using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Interop;

/// <summary>
/// Interoperability with two independent gRPC implementations, both directions, h2c and mutual TLS:
/// @grpc/grpc-js (npm, installed by tests/setup/40-interop.sh) and Debian's python3-grpcio.
/// </summary>
public sealed class InteropTests
{
    public static TheoryData<string, string> Peers() => new()
    {
        { "node", "h2c" },
        { "node", "mtls" },
        { "python", "h2c" },
        { "python", "mtls" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Peers))]
    public async Task A_foreign_client_gets_every_call_shape_and_status_from_our_server(string peer, string transport)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        await using var f = await EchoFixture.StartAsync(transport, server: o => o with { ResponseCompression = "gzip" });
        string? tlsDir = null;
        if (transport == "mtls")
        {
            // The fixture made its own CA; reissue a matching set for the peer from the same server options.
            tlsDir = InteropPeer.WriteCertificates(f.Tls!);
        }

        using var cleanup = new DeleteOnDispose(tlsDir);
        var json = await InteropPeer.RunClientAsync(peer, $"127.0.0.1:{f.Server.Address.Port}", tlsDir, timeout.Token);
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;

        Assert.StartsWith("hello from", r.GetProperty("unary").GetString(), StringComparison.Ordinal);
        Assert.Equal($"from-{peer}", r.GetProperty("seenHeader").GetString());
        Assert.Equal("000102ff", r.GetProperty("seenBinaryHeader").GetString());
        Assert.Equal(transport == "mtls" ? "node-1.example.org" : "", r.GetProperty("peerCommonName").GetString());
        Assert.Equal(1024 * 1024, r.GetProperty("bigReplyBytes").GetInt32());
        Assert.Equal(5, r.GetProperty("errorCode").GetInt32());
        Assert.Equal("no such node «web-1» 100%", r.GetProperty("errorMessage").GetString());
        Assert.Equal("requested", r.GetProperty("errorTrailer").GetString());
        Assert.Equal(string.Concat(Enumerable.Repeat("drift-", 500)), r.GetProperty("longErrorMessage").GetString());
        Assert.Equal(4, r.GetProperty("deadlineCode").GetInt32());
        Assert.Equal([0, 1, 2, 3, 4], r.GetProperty("serverStream").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("a,b,c", r.GetProperty("clientStream").GetString());
        Assert.Equal(["x", "y", "z"], r.GetProperty("duplex").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(10, r.GetProperty("streamError").GetInt32());
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Peers))]
    public async Task Our_client_gets_every_call_shape_and_status_from_a_foreign_server(string peer, string transport)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        var tls = transport == "mtls" ? new MutualTls() : null;
        var tlsDir = tls is null ? null : InteropPeer.WriteCertificates(tls);
        using var cleanup = new DeleteOnDispose(tlsDir);
        using var server = await PeerServer.StartAsync(peer, tlsDir, timeout.Token);
        var scheme = tls is null ? "http" : "https";
        // Requests go gzip-compressed: the foreign server must inflate them.
        using var channel = new RpcChannel(new Uri($"{scheme}://127.0.0.1:{server.Port}"),
            (tls?.ClientOptions() ?? new RpcChannelOptions()) with { RequestCompression = "gzip" });
        var client = new TestService.TestServiceClient(channel);
        var options = new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(30), Headers: new Metadata().Add("x-echo", "from-dotnet").Add("x-echo-bin", [0, 1, 2, 255]), CancellationToken: timeout.Token);

        var unary = await client.UnaryAsync(new EchoRequest { Text = "hello", Payload = Google.Protobuf.ByteString.CopyFrom(new byte[100_000]) }, options);
        var big = await client.UnaryAsync(new EchoRequest { ResponseSize = 1024 * 1024 }, options);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryAsync(new EchoRequest { FailWithCode = 5, FailWithMessage = "no such node «web-1» 100%" }, options));
        var deadline = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryAsync(new EchoRequest { Hang = true }, CallOptions.WithTimeout(TimeSpan.FromMilliseconds(300))));
        var streamed = new List<int>();
        using (var call = client.ServerStream(new EchoRequest { Count = 5 }, options))
        {
            await foreach (var reply in call.ResponseStream.ReadAllAsync(timeout.Token))
            {
                streamed.Add(reply.Index);
            }
        }
        using var upload = client.ClientStream(options);
        foreach (var t in new[] { "a", "b", "c" })
        {
            await upload.RequestStream.WriteAsync(new EchoRequest { Text = t });
        }
        await upload.RequestStream.CompleteAsync();
        var joined = await upload;
        using var duplex = client.Duplex(options);
        var echoed = new List<string>();
        foreach (var t in new[] { "x", "y", "z" })
        {
            await duplex.RequestStream.WriteAsync(new EchoRequest { Text = t });
            Assert.True(await duplex.ResponseStream.MoveNext(timeout.Token));
            echoed.Add(duplex.ResponseStream.Current.Text);
        }
        await duplex.RequestStream.CompleteAsync();
        Assert.False(await duplex.ResponseStream.MoveNext(timeout.Token));

        Assert.Equal("hello", unary.Text);
        Assert.Equal(100_000, unary.Payload.Length);
        Assert.Equal("from-dotnet", unary.SeenHeader);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, unary.SeenBinaryHeader.ToByteArray());
        Assert.Equal(1024 * 1024, big.Payload.Length);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such node «web-1» 100%", error.Status.Detail);
        Assert.Equal("requested", error.Trailers.GetValue("x-failure-reason"));
        Assert.Equal(StatusCode.DeadlineExceeded, deadline.StatusCode);
        Assert.Equal([0, 1, 2, 3, 4], streamed);
        Assert.Equal("a,b,c", joined.Text);
        Assert.Equal(["x", "y", "z"], echoed);
    }

    private sealed class DeleteOnDispose(string? directory) : IDisposable
    {
        public void Dispose()
        {
            if (directory is not null && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
