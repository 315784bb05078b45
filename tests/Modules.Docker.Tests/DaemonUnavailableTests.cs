using System.Net.Sockets;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Docker.Tests;

public sealed class DaemonUnavailableTests
{
    private static readonly ModuleContext Context = new() { Root = TargetRoot.HostRoot, Commands = null! };

    private static Resource Container => Resources.Container(new DockerContainerSpec { Name = "colabo-test-any", Image = "colabo-test/bookworm:latest" });

    [Fact(Timeout = 30_000)]
    public async Task A_missing_socket_is_named_in_the_error()
    {
        using var client = new DockerClient(new DockerClientOptions { SocketPath = "/nonexistent/colabo-test/docker.sock" });

        var error = await Assert.ThrowsAsync<DockerException>(() => new DockerContainerModule(client).ReadAsync(Container, Context, CancellationToken.None));

        Assert.True(error.DaemonUnavailable);
        Assert.Equal(
            "cannot reach the Docker daemon: the socket /nonexistent/colabo-test/docker.sock does not exist; is dockerd running?",
            error.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_socket_nobody_listens_on_says_so()
    {
        var directory = Directory.CreateTempSubdirectory("colabo-test-sock-").FullName;
        var path = Path.Combine(directory, "docker.sock");
        // Bound but never listening: connecting is refused, as with the stale socket of a dead daemon.
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));
        using var client = new DockerClient(new DockerClientOptions { SocketPath = path });

        var error = await Assert.ThrowsAsync<DockerException>(() => new DockerImageModule(client).ReadAsync(
            Resources.Image(new DockerImageSpec { Name = "colabo-test/x:1" }), Context, CancellationToken.None));

        Assert.True(error.DaemonUnavailable);
        Assert.Contains($"nothing listens on {path}", error.Message, StringComparison.Ordinal);
        bound.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
