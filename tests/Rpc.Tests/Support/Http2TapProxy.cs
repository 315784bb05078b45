using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>
/// A TCP proxy in front of an h2c server that reads the HTTP/2 frame headers passing each way, so a
/// test can see frames the client and server libraries never surface (PING), and can go silent to
/// play a network path that died without closing the connection.
/// </summary>
public sealed class Http2TapProxy : IAsyncDisposable
{
    private const int FrameHeaderLength = 9;
    private const byte PingType = 0x6;
    private const byte AckFlag = 0x1;
    private static readonly int ClientPrefaceLength = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".Length;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _sockets = [];
    private readonly TaskCompletionSource _clientPing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _serverPing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closedByClient = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int[] _serverFrames = new int[256];
    private volatile bool _silent;

    public Http2TapProxy(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _ = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Completes when the client sends its first PING (not an ack).</summary>
    public Task ClientPing => _clientPing.Task;

    /// <summary>Completes when the server sends its first PING (not an ack).</summary>
    public Task ServerPing => _serverPing.Task;

    /// <summary>Completes when the client closes its side of a connection.</summary>
    public Task ClosedByClient => _closedByClient.Task;

    /// <summary>How many frames of this type (0x9: CONTINUATION) the server has sent so far.</summary>
    public int FramesFromServer(byte type) => Volatile.Read(ref _serverFrames[type]);

    /// <summary>From now on nothing is forwarded either way and nothing is closed: a dead path.</summary>
    public void GoSilent() => _silent = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
                _sockets.Add(client);
                _sockets.Add(server);
                _ = PumpAsync(client.GetStream(), server.GetStream(), ClientPrefaceLength, _clientPing, _closedByClient, new int[256]);
                _ = PumpAsync(server.GetStream(), client.GetStream(), 0, _serverPing, null, _serverFrames);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, int preface, TaskCompletionSource ping, TaskCompletionSource? closed, int[] frames)
    {
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        var skip = preface;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    closed?.TrySetResult();
                    return;
                }

                pending.AddRange(buffer.AsSpan(0, read));
                skip = Scan(pending, skip, ping, frames);
                if (!_silent)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            closed?.TrySetResult();
        }
    }

    /// <summary>Walks whole frames in <paramref name="pending"/>, keeping a partial one; returns bytes still to skip.</summary>
    private static int Scan(List<byte> pending, int skip, TaskCompletionSource ping, int[] frames)
    {
        var offset = Math.Min(skip, pending.Count);
        skip -= offset;
        while (pending.Count - offset >= FrameHeaderLength)
        {
            var length = (pending[offset] << 16) | (pending[offset + 1] << 8) | pending[offset + 2];
            if (pending[offset + 3] == PingType && (pending[offset + 4] & AckFlag) == 0)
            {
                ping.TrySetResult();
            }

            var frame = FrameHeaderLength + length;
            if (pending.Count - offset < frame)
            {
                break;
            }

            Interlocked.Increment(ref frames[pending[offset + 3]]);

            offset += frame;
        }

        pending.RemoveRange(0, offset);
        return skip;
    }
}
