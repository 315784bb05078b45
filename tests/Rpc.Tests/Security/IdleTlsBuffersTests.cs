using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Colabo.Config.Rpc.Server.Internal;
using Colabo.Config.Rpc.Tests.Support;

namespace Colabo.Config.Rpc.Tests.Security;

public sealed class IdleTlsBuffersTests
{
    [Fact(Timeout = 30_000)]
    public async Task An_established_connection_gets_OpenSSLs_release_buffers_mode_and_still_carries_records_both_ways()
    {
        Assert.True(OperatingSystem.IsLinux(), "the master runs on Linux, where the mode applies");
        var pki = TestPki.Create();
        using var serverCertificate = pki.IssueServer();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
        await connecting;
        await using var server = new SslStream(accepted.GetStream());
        await using var peer = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await Task.WhenAll(server.AuthenticateAsServerAsync(serverCertificate), peer.AuthenticateAsClientAsync("localhost"));

        // OpenSSL answers SSL_set_mode with the mode now in force: the bit is really set on this SSL*.
        Assert.True(IdleTlsBuffers.Supported);
        Assert.True(IdleTlsBuffers.Release(server));

        // With the buffers freed whenever they are empty, records of every size still arrive intact, in
        // both directions, across idle gaps (each gap leaves the buffers released).
        foreach (var size in new[] { 1, 5_000, 16_384, 100_000 })
        {
            var up = RandomNumberGenerator.GetBytes(size);
            var down = RandomNumberGenerator.GetBytes(size);
            await peer.WriteAsync(up);
            await peer.FlushAsync();
            Assert.Equal(up, await ReadExactlyAsync(server, size));
            await server.WriteAsync(down);
            await server.FlushAsync();
            Assert.Equal(down, await ReadExactlyAsync(peer, size));
            await Task.Delay(20);
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int size)
    {
        var buffer = new byte[size];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
