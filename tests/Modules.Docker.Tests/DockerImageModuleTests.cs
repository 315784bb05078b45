using System.Formats.Tar;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Modules.Docker.Tests.Support;
using Google.Protobuf;

namespace Colabo.Config.Modules.Docker.Tests;

[Collection(DockerCollection.Name)]
public sealed class DockerImageModuleTests(DockerFixture docker)
{
    private readonly DockerImageModule module = new(docker.Client);

    /// <summary>A build from the imported base image whose /version file holds <paramref name="version"/>.</summary>
    internal static Resource Build(string reference, string version) => Resources.Image(new DockerImageSpec
    {
        Name = reference,
        Build = new DockerBuild
        {
            Context =
            {
                new ContextFile { Path = "Dockerfile", Content = ByteString.CopyFromUtf8($"FROM {DockerFixture.BaseImage}\nARG FLAVOUR=plain\nCOPY version /version\nRUN echo $FLAVOUR > /flavour\n") },
                new ContextFile { Path = "version", Content = ByteString.CopyFromUtf8(version), Mode = 0b110_100_100 },
            },
            BuildArgs = { ["FLAVOUR"] = "spicy" },
            Origin = "files/app",
        },
    });

    [Fact(Timeout = 90_000)]
    public async Task A_build_makes_the_image_from_the_packed_context_and_a_second_run_is_in_sync()
    {
        var reference = $"colabo-test/{docker.NewName("build")}:1";
        var desired = Build(reference, "v1");

        var first = await Converge.Run(module, desired, docker.Context);
        var state = await module.ReadAsync(desired, docker.Context, CancellationToken.None);
        var second = await Converge.Plan(module, desired, docker.Context);

        Assert.Equal(new PropertyDiffShape("ensure", "absent", "present"), PropertyDiffShape.Of(Assert.Single(first)));
        Assert.Equal(await DockerFixture.Inspect(reference, "{{.Id}}"), state!.Id);
        Assert.Equal("v1", (await DockerFixture.Docker("run", "--rm", reference, "cat", "/version")).Output);
        Assert.Equal("spicy", (await DockerFixture.Docker("run", "--rm", reference, "cat", "/flavour")).Output);
        Assert.Empty(second);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_changed_build_context_is_rebuilt_and_resolves_to_a_new_id()
    {
        var reference = $"colabo-test/{docker.NewName("rebuild")}:1";
        await Converge.Run(module, Build(reference, "v1"), docker.Context);
        var before = await DockerFixture.Inspect(reference, "{{.Id}}");

        var changes = await Converge.Run(module, Build(reference, "v2"), docker.Context);

        Assert.Equal(["source", "id"], changes.Select(c => c.Property));
        Assert.Equal(before, changes[1].Before);
        Assert.Equal(await DockerFixture.Inspect(reference, "{{.Id}}"), changes[1].After);
        Assert.NotEqual(before, changes[1].After);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_import_from_a_tarball_is_done_once_and_again_when_the_tarball_changes()
    {
        var root = Directory.CreateTempSubdirectory("colabo-test-root-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "srv"));
        var tarball = "/srv/rootfs.tar";
        WriteRootfs(Path.Combine(root, "srv/rootfs.tar"), "one");
        var context = docker.Context with { Root = new Engine.Host.TargetRoot(root) };
        var reference = $"colabo-test/{docker.NewName("import")}:7";
        var desired = Resources.Image(new DockerImageSpec { Name = reference, ImportTarball = tarball });

        var first = await Converge.Run(module, desired, context);
        var firstId = await DockerFixture.Inspect(reference, "{{.Id}}");
        var second = await Converge.Plan(module, desired, context);
        WriteRootfs(Path.Combine(root, "srv/rootfs.tar"), "two, longer");
        var third = await Converge.Run(module, desired, context);

        Assert.Equal("ensure", Assert.Single(first).Property);
        Assert.Empty(second);
        Assert.Equal("source", third[0].Property);
        Assert.NotEqual(firstId, await DockerFixture.Inspect(reference, "{{.Id}}"));
        Assert.Equal(desired.Id, await DockerFixture.Inspect(reference, "{{index .Config.Labels \"colabo.config/resource\"}}"));
        Directory.Delete(root, recursive: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_tarball_fails_with_its_path()
    {
        var desired = Resources.Image(new DockerImageSpec { Name = $"colabo-test/{docker.NewName("gone")}:1", ImportTarball = "/nonexistent/colabo-test.tar" });

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => module.ApplyAsync(desired, null, [], docker.Context, CancellationToken.None));

        Assert.Contains("/nonexistent/colabo-test.tar", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Ensure_absent_removes_the_image_and_an_image_in_use_fails_clearly()
    {
        var reference = $"colabo-test/{docker.NewName("absent")}:1";
        await Converge.Run(module, Build(reference, "v1"), docker.Context);
        var container = docker.NewName("user");
        await DockerFixture.Docker(["run", "-d", "--name", container, reference, .. DockerFixture.LongLived]);
        var absent = Resources.Image(new DockerImageSpec { Name = reference }, Ensure.Absent);

        var inUse = await Assert.ThrowsAsync<DockerException>(() => Converge.Run(module, absent, docker.Context));
        await DockerFixture.Docker("rm", "-f", container);
        var removed = await Converge.Run(module, absent, docker.Context);

        Assert.Contains("in use", inUse.Message, StringComparison.Ordinal);
        Assert.Equal("ensure", removed[0].Property);
        Assert.NotEqual(0, (await DockerFixture.Docker("image", "inspect", reference)).ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pull_from_an_unreachable_registry_fails_with_the_daemons_reason()
    {
        // Loopback port 1: nothing listens, so the daemon's pull fails at once without leaving the machine.
        var desired = Resources.Image(new DockerImageSpec { Name = "127.0.0.1:1/colabo-test/none:1", Pull = true });

        var error = await Assert.ThrowsAsync<DockerException>(() => module.ApplyAsync(desired, null, [], docker.Context, CancellationToken.None));

        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_rejects_a_build_without_its_dockerfile_and_a_relative_tarball()
    {
        var build = Resources.Image(new DockerImageSpec { Name = "colabo/app:1", Build = new DockerBuild { Context = { new ContextFile { Path = "../x" } } } });
        var import = Resources.Image(new DockerImageSpec { Name = "colabo/app:1", ImportTarball = "images/app.tar" });

        Assert.Equal(2, module.Validate(build).Count);
        Assert.Contains("absolute", Assert.Single(module.Validate(import)), StringComparison.Ordinal);
    }

    private static void WriteRootfs(string path, string marker)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/marker") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(marker)) });
    }
}
