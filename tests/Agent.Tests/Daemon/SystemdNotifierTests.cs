using System.Net.Sockets;
using System.Text;
using Colabo.Config.Agent.Daemon.Systemd;
using Colabo.Config.Agent.Tests.Support;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class SystemdNotifierTests
{
    [Fact(Timeout = 30_000)]
    public async Task Ready_status_and_watchdog_arrive_as_datagrams_on_a_path_socket()
    {
        using var dir = new TempDir();
        var path = dir.Combine("notify.sock");
        using var systemd = Listen(path);
        using var notifier = new SystemdNotifier(path);

        notifier.Ready("node web-01: connecting");
        notifier.Watchdog();
        notifier.Status("last run: 0 changed");

        Assert.Equal("READY=1\nSTATUS=node web-01: connecting", await ReceiveAsync(systemd));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));
        Assert.Equal("STATUS=last run: 0 changed", await ReceiveAsync(systemd));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_abstract_socket_written_with_an_at_sign_is_reached()
    {
        var name = $"colabo-test-{Guid.NewGuid():N}";
        using var systemd = Listen("\0" + name);
        using var notifier = new SystemdNotifier("@" + name);

        notifier.Ready("ok");

        Assert.True(notifier.IsEnabled);
        Assert.Equal("READY=1\nSTATUS=ok", await ReceiveAsync(systemd));
    }

    [Fact]
    public void Without_a_notify_socket_nothing_is_sent()
    {
        using var notifier = new SystemdNotifier(null);

        notifier.Ready("ok");

        Assert.False(notifier.IsEnabled);
    }

    private static Socket Listen(string address)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(address));
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
