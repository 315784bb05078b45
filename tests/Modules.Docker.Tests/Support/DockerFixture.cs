using System.Diagnostics;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Docker.Tests.Support;

/// <summary>
/// The real dockerd that tests/setup/20-dockerd.sh starts, with the image it imports. Names every
/// object it hands out colabo-test-RUN-..., and removes whatever carries the run's prefix at the end.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public const string BaseImage = "colabo-test/bookworm:latest";

    /// <summary>A long-lived command that also stops at once on SIGTERM (sleep as PID 1 would ignore it).</summary>
    public static readonly string[] LongLived = ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"];

    private int counter;

    public DockerClient Client { get; } = new();

    public string RunPrefix { get; } = $"colabo-test-{Guid.NewGuid().ToString("N")[..8]}";

    public ModuleContext Context { get; } = new() { Root = TargetRoot.HostRoot, Commands = new UnusedCommandRunner() };

    public string NewName(string what) => $"{RunPrefix}-{what}-{Interlocked.Increment(ref counter)}";

    public async Task InitializeAsync()
    {
        try
        {
            await Client.GetVersionAsync(CancellationToken.None);
        }
        catch (DockerException exception)
        {
            throw new InvalidOperationException($"dockerd is not available ({exception.Message}); run tests/setup/20-dockerd.sh", exception);
        }

        var image = await Docker("image", "inspect", "--format", "{{.Id}}", BaseImage);
        if (image.ExitCode != 0)
        {
            throw new InvalidOperationException($"{BaseImage} is missing; run tests/setup/20-dockerd.sh");
        }
    }

    public async Task DisposeAsync()
    {
        var containers = await Docker("ps", "-aq", "--filter", $"name={RunPrefix}");
        foreach (var id in Lines(containers.Output))
        {
            await Docker("rm", "-f", id);
        }

        var networks = await Docker("network", "ls", "-q", "--filter", $"name={RunPrefix}");
        foreach (var id in Lines(networks.Output))
        {
            await Docker("network", "rm", id);
        }

        var images = await Docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", $"colabo-test/{RunPrefix}*");
        foreach (var reference in Lines(images.Output))
        {
            await Docker("image", "rm", "-f", reference);
        }

        await Docker("image", "prune", "-f", "--filter", "label=colabo.config/resource");
        Client.Dispose();
    }

    /// <summary>The docker CLI, as an independent observer of what the module did.</summary>
    public static async Task<(int ExitCode, string Output)> Docker(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output).Trim() + (await error).Trim());
    }

    public static async Task<string> Inspect(string name, string format)
    {
        var result = await Docker("inspect", "--format", format, name);
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Output;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed class UnusedCommandRunner : ICommandRunner
    {
        public Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"docker modules must not run processes ({command})");
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "dockerd";
}
