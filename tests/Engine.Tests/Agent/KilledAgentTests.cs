using System.Diagnostics;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Engine.Tests.Agent;

/// <summary>The real thing: a colabo-agent process SIGKILLed while it writes a large file.</summary>
public sealed class KilledAgentTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("colabo-kill-").FullName;

    [Fact(Timeout = 120_000)]
    public async Task An_agent_killed_while_writing_a_file_leaves_the_old_file_and_the_next_run_writes_the_new_one()
    {
        // Arrange: an old file, and a catalog replacing it with 64 MiB of new content.
        var root = Path.Combine(_work, "root");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var target = Path.Combine(root, "data", "blob");
        File.WriteAllText(target, "old content\n");
        var catalog = new Catalog { Node = "kill-test" };
        catalog.Resources.Add(new Resource
        {
            Id = "file:/data/blob",
            Kind = "file",
            Name = "/data/blob",
            File = new FileSpec { Path = "/data/blob", BinaryContent = ByteString.CopyFrom(new byte[64 << 20]) },
        });
        var catalogPath = Path.Combine(_work, "catalog.pb");
        File.WriteAllBytes(catalogPath, catalog.ToByteArray());

        // Act: kill the agent as soon as its temporary file appears next to the target.
        using var watcher = new FileSystemWatcher(Path.Combine(root, "data")) { EnableRaisingEvents = true };
        var temporaryCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, e) =>
        {
            if (e.Name!.EndsWith(".colabo-tmp", StringComparison.Ordinal))
            {
                temporaryCreated.TrySetResult();
            }
        };
        using var agent = StartAgent(catalogPath, root);
        await temporaryCreated.Task.WaitAsync(TimeSpan.FromSeconds(60));
        agent.Kill();
        await agent.WaitForExitAsync();

        // Assert: the target holds either the old file or the whole new one, never part of it (on a
        // fast machine the write and rename can finish before the kill lands); the next run converges.
        var after = File.ReadAllBytes(target);
        var old = after.AsSpan().SequenceEqual("old content\n"u8);
        var whole = after.Length == 64 << 20 && !after.AsSpan().ContainsAnyExcept((byte)0);
        Assert.True(old || whole, $"the target was left half-written: {after.Length} bytes");
        using var again = StartAgent(catalogPath, root);
        await again.WaitForExitAsync();
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(64L << 20, new FileInfo(target).Length);
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "data"), "*.colabo-tmp"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_temporary_file_left_by_a_killed_write_is_removed_by_the_next_write_of_that_file()
    {
        var root = Path.Combine(_work, "root");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var leftover = Path.Combine(root, "data", ".blob.0123456789ab.colabo-tmp");
        var unrelated = Path.Combine(root, "data", ".other.0123456789ab.colabo-tmp");
        File.WriteAllText(leftover, "partial");
        File.WriteAllText(unrelated, "partial");
        var catalog = new Catalog { Node = "kill-test" };
        catalog.Resources.Add(new Resource
        {
            Id = "file:/data/blob",
            Kind = "file",
            Name = "/data/blob",
            File = new FileSpec { Path = "/data/blob", Content = "new\n" },
        });
        var catalogPath = Path.Combine(_work, "catalog.pb");
        File.WriteAllBytes(catalogPath, catalog.ToByteArray());

        using var agent = StartAgent(catalogPath, root);
        await agent.WaitForExitAsync();

        Assert.Equal(0, agent.ExitCode);
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(root, "data", "blob")));
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static Process StartAgent(string catalog, string root)
    {
        var agent = Path.Combine(AppContext.BaseDirectory, "colabo-agent.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "exec", agent, "apply", catalog, "--root", root })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        return process;
    }
}
