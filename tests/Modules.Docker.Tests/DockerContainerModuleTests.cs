using Colabo.Config.Contracts.V1;
using Colabo.Config.Modules.Docker.Tests.Support;

namespace Colabo.Config.Modules.Docker.Tests;

[Collection(DockerCollection.Name)]
public sealed class DockerContainerModuleTests(DockerFixture docker)
{
    private readonly DockerContainerModule module = new(docker.Client);

    private DockerContainerSpec LongLived(string name) => new()
    {
        Name = name,
        Image = DockerFixture.BaseImage,
        Command = { DockerFixture.LongLived },
        Env = { ["GREETING"] = "hello" },
        Labels = { ["team"] = "web" },
        StopTimeoutSeconds = 5,
    };

    [Fact(Timeout = 60_000)]
    public async Task A_missing_container_is_created_running_and_a_second_run_is_in_sync()
    {
        var desired = Resources.Container(LongLived(docker.NewName("web")));

        var first = await Converge.Run(module, desired, docker.Context);
        var id = await DockerFixture.Inspect(desired.Name, "{{.Id}}");
        var second = await Converge.Plan(module, desired, docker.Context);

        Assert.Equal(new PropertyDiffShape("ensure", "absent", "running"), PropertyDiffShape.Of(Assert.Single(first)));
        Assert.Equal("true", await DockerFixture.Inspect(desired.Name, "{{.State.Running}}"));
        Assert.Contains("GREETING=hello", await DockerFixture.Inspect(desired.Name, "{{json .Config.Env}}"), StringComparison.Ordinal);
        Assert.Empty(second);
        Assert.Equal(id, await DockerFixture.Inspect(desired.Name, "{{.Id}}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_changed_env_recreates_the_container_and_reports_the_property()
    {
        var spec = LongLived(docker.NewName("env"));
        await Converge.Run(module, Resources.Container(spec), docker.Context);
        var before = await DockerFixture.Inspect(spec.Name, "{{.Id}}");
        spec.Env["GREETING"] = "bonjour";

        var changes = await Converge.Run(module, Resources.Container(spec), docker.Context);

        var env = Assert.Single(changes);
        Assert.Equal(("env", "GREETING=hello", "GREETING=bonjour"), (env.Property, env.Before, env.After));
        Assert.NotEqual(before, await DockerFixture.Inspect(spec.Name, "{{.Id}}"));
        Assert.Contains("GREETING=bonjour", await DockerFixture.Inspect(spec.Name, "{{json .Config.Env}}"), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_removed_env_entry_is_seen_through_the_spec_hash_label()
    {
        var spec = LongLived(docker.NewName("hash"));
        spec.Env["EXTRA"] = "1";
        await Converge.Run(module, Resources.Container(spec), docker.Context);
        spec.Env.Remove("EXTRA");

        var changes = await Converge.Run(module, Resources.Container(spec), docker.Context);

        Assert.Equal("spec_hash", Assert.Single(changes).Property);
        Assert.DoesNotContain("EXTRA=1", await DockerFixture.Inspect(spec.Name, "{{json .Config.Env}}"), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_container_stopped_by_hand_is_started_again_without_being_recreated()
    {
        var desired = Resources.Container(LongLived(docker.NewName("restart")));
        await Converge.Run(module, desired, docker.Context);
        var id = await DockerFixture.Inspect(desired.Name, "{{.Id}}");
        await DockerFixture.Docker("stop", desired.Name);

        var changes = await Converge.Run(module, desired, docker.Context);

        Assert.Equal(new PropertyDiffShape("state", "stopped", "running"), PropertyDiffShape.Of(Assert.Single(changes)));
        Assert.Equal(id, await DockerFixture.Inspect(desired.Name, "{{.Id}}"));
        Assert.Equal("true", await DockerFixture.Inspect(desired.Name, "{{.State.Running}}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Ensure_stopped_stops_a_running_container_and_ensure_absent_removes_it()
    {
        var spec = LongLived(docker.NewName("stop"));
        await Converge.Run(module, Resources.Container(spec), docker.Context);

        var stop = await Converge.Run(module, Resources.Container(spec, Ensure.Stopped), docker.Context);
        var running = await DockerFixture.Inspect(spec.Name, "{{.State.Running}}");
        var remove = await Converge.Run(module, Resources.Container(spec, Ensure.Absent), docker.Context);

        Assert.Equal(new PropertyDiffShape("state", "running", "stopped"), PropertyDiffShape.Of(Assert.Single(stop)));
        Assert.Equal("false", running);
        Assert.Equal(new PropertyDiffShape("ensure", "present", "absent"), PropertyDiffShape.Of(Assert.Single(remove)));
        Assert.NotEqual(0, (await DockerFixture.Docker("inspect", spec.Name)).ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ensure_present_creates_the_container_without_starting_it_and_leaves_its_run_state_alone()
    {
        var desired = Resources.Container(LongLived(docker.NewName("present")), Ensure.Present);

        var created = await Converge.Run(module, desired, docker.Context);
        var state = await DockerFixture.Inspect(desired.Name, "{{.State.Status}}");
        await DockerFixture.Docker("start", desired.Name);
        var afterStart = await Converge.Plan(module, desired, docker.Context);

        Assert.Equal(new PropertyDiffShape("ensure", "absent", "present"), PropertyDiffShape.Of(Assert.Single(created)));
        Assert.Equal("created", state);
        Assert.Empty(afterStart);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_container_made_by_hand_under_the_same_name_is_replaced()
    {
        var spec = LongLived(docker.NewName("manual"));
        await DockerFixture.Docker(["run", "-d", "--name", spec.Name, DockerFixture.BaseImage, .. DockerFixture.LongLived]);

        var changes = await Converge.Run(module, Resources.Container(spec), docker.Context);

        Assert.Contains(changes, c => c.Property == "env");
        Assert.Equal(ContainerHashLabel(spec), await DockerFixture.Inspect(spec.Name, "{{index .Config.Labels \"colabo.config/spec-hash\"}}"));
    }

    [Fact(Timeout = 90_000)]
    public async Task Ports_mounts_networks_restart_policy_and_limits_are_applied_and_then_in_sync()
    {
        var network = docker.NewName("net");
        await Converge.Run(new DockerNetworkModule(docker.Client), Resources.Network(new() { Name = network }), docker.Context);
        var hostDir = Directory.CreateTempSubdirectory("colabo-test-bind-").FullName;
        var spec = LongLived(docker.NewName("full"));
        spec.Ports.Add(new PortBinding { ContainerPort = 8080, HostPort = 0, HostIp = "127.0.0.1" });
        spec.Mounts.Add(new Mount { Type = "bind", Source = hostDir, Target = "/data", ReadOnly = true });
        spec.Networks.Add(network);
        spec.Networks.Add("bridge");
        spec.RestartPolicy = "on-failure:3";
        spec.MemoryBytes = 64 * 1024 * 1024;
        spec.Cpus = 0.5;
        spec.User = "nobody";
        spec.WorkingDir = "/tmp";
        spec.Hostname = "web1";

        await Converge.Run(module, Resources.Container(spec), docker.Context);
        var second = await Converge.Plan(module, Resources.Container(spec), docker.Context);

        Assert.Empty(second);
        Assert.Equal("on-failure 3", await DockerFixture.Inspect(spec.Name, "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}"));
        Assert.Equal("67108864 500000000", await DockerFixture.Inspect(spec.Name, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}"));
        Assert.Equal("nobody /tmp web1", await DockerFixture.Inspect(spec.Name, "{{.Config.User}} {{.Config.WorkingDir}} {{.Config.Hostname}}"));
        Assert.Equal($"bridge {network}", await DockerFixture.Inspect(spec.Name, "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}"));
        Assert.Equal($"bind {hostDir} /data false", await DockerFixture.Inspect(spec.Name, "{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}}{{end}}"));
        Assert.Contains("127.0.0.1", await DockerFixture.Inspect(spec.Name, "{{json .HostConfig.PortBindings}}"), StringComparison.Ordinal);
        await DockerFixture.Docker("rm", "-f", spec.Name);
        Directory.Delete(hostDir);
    }

    [Fact(Timeout = 90_000)]
    public async Task An_image_rebuilt_under_the_same_reference_replaces_the_container()
    {
        var images = new DockerImageModule(docker.Client);
        var reference = $"colabo-test/{docker.NewName("app")}:1";
        var image = DockerImageModuleTests.Build(reference, "v1");
        await Converge.Run(images, image, docker.Context);
        var spec = LongLived(docker.NewName("app"));
        spec.Image = reference;
        await Converge.Run(module, Resources.Container(spec), docker.Context);
        var oldImage = await DockerFixture.Inspect(spec.Name, "{{.Image}}");

        await Converge.Run(images, DockerImageModuleTests.Build(reference, "v2"), docker.Context);
        var changes = await Converge.Run(module, Resources.Container(spec), docker.Context);

        var change = Assert.Single(changes);
        Assert.Equal("image_id", change.Property);
        Assert.Equal(oldImage, change.Before);
        Assert.Equal(await DockerFixture.Inspect(reference, "{{.Id}}"), await DockerFixture.Inspect(spec.Name, "{{.Image}}"));
        Assert.Equal("v2", (await DockerFixture.Docker("exec", spec.Name, "cat", "/version")).Output);
        await DockerFixture.Docker("rm", "-f", spec.Name);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_image_fails_with_an_error_that_says_what_to_declare()
    {
        var spec = LongLived(docker.NewName("noimage"));
        spec.Image = "colabo-test/does-not-exist:1";
        var desired = Resources.Container(spec);
        var current = await module.ReadAsync(desired, docker.Context, CancellationToken.None);

        var error = await Assert.ThrowsAsync<DockerException>(() => module.ApplyAsync(desired, current, module.Diff(desired, current), docker.Context, CancellationToken.None));

        Assert.Contains("colabo-test/does-not-exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker_image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_each_bad_field()
    {
        var spec = new DockerContainerSpec
        {
            Name = "bad name",
            Image = "Upper/Case",
            RestartPolicy = "sometimes",
            Ports = { new PortBinding { ContainerPort = 70000 } },
            Mounts = { new Mount { Type = "bind", Source = "relative", Target = "/x" } },
            Labels = { ["colabo.config/spec-hash"] = "x" },
        };

        var errors = module.Validate(Resources.Container(spec));

        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("docker_container:bad name: ", e, StringComparison.Ordinal));
    }

    private static string ContainerHashLabel(DockerContainerSpec spec) => Internal.ContainerShape.Hash(spec);
}

internal sealed record PropertyDiffShape(string Property, string? Before, string? After)
{
    public static PropertyDiffShape Of(Engine.Modules.PropertyDiff diff) => new(diff.Property, diff.Before, diff.After);
}
