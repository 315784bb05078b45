using Colabo.Config.Contracts.V1;
using Colabo.Config.Modules.Docker.Tests.Support;

namespace Colabo.Config.Modules.Docker.Tests;

[Collection(DockerCollection.Name)]
public sealed class DockerNetworkModuleTests(DockerFixture docker)
{
    private readonly DockerNetworkModule module = new(docker.Client);

    [Fact(Timeout = 60_000)]
    public async Task A_network_is_created_with_its_subnet_and_labels_and_then_in_sync()
    {
        var desired = Resources.Network(new DockerNetworkSpec
        {
            Name = docker.NewName("net"),
            Subnet = "10.213.7.0/24",
            Gateway = "10.213.7.1",
            Labels = { ["tier"] = "front" },
        });

        var first = await Converge.Run(module, desired, docker.Context);
        var second = await Converge.Plan(module, desired, docker.Context);

        Assert.Equal("ensure", Assert.Single(first).Property);
        Assert.Empty(second);
        Assert.Equal("10.213.7.0/24 10.213.7.1 front", await DockerFixture.Inspect(desired.Name, "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels.tier}}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Changed_labels_recreate_the_network_and_absent_removes_it()
    {
        var spec = new DockerNetworkSpec { Name = docker.NewName("relabel"), Labels = { ["tier"] = "front" } };
        await Converge.Run(module, Resources.Network(spec), docker.Context);
        spec.Labels["tier"] = "back";

        var relabel = await Converge.Run(module, Resources.Network(spec), docker.Context);
        var label = await DockerFixture.Inspect(spec.Name, "{{.Labels.tier}}");
        var remove = await Converge.Run(module, Resources.Network(spec, Ensure.Absent), docker.Context);

        Assert.Equal(new PropertyDiffShape("labels", "tier=front", "tier=back"), PropertyDiffShape.Of(Assert.Single(relabel)));
        Assert.Equal("back", label);
        Assert.Equal("ensure", Assert.Single(remove).Property);
        Assert.NotEqual(0, (await DockerFixture.Docker("network", "inspect", spec.Name)).ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_network_with_containers_attached_is_not_recreated_and_the_error_names_them()
    {
        var spec = new DockerNetworkSpec { Name = docker.NewName("busy") };
        await Converge.Run(module, Resources.Network(spec), docker.Context);
        var container = docker.NewName("attached");
        await DockerFixture.Docker(["run", "-d", "--name", container, "--network", spec.Name, DockerFixture.BaseImage, .. DockerFixture.LongLived]);
        spec.Labels["tier"] = "new";

        var error = await Assert.ThrowsAsync<DockerException>(() => Converge.Run(module, Resources.Network(spec), docker.Context));

        Assert.Contains(container, error.Message, StringComparison.Ordinal);
        Assert.Contains("containers are attached", error.Message, StringComparison.Ordinal);
        await DockerFixture.Docker("rm", "-f", container);
    }
}
