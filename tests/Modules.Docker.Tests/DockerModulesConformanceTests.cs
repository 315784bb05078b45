using System.Formats.Tar;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Docker.Tests.Support;

namespace Colabo.Config.Modules.Docker.Tests;

/// <summary>
/// The shared module conformance kit over docker_image, docker_network and docker_container on the
/// real dockerd. The daemon's state lives outside the target root, so besides the kit's root
/// snapshots this class proves the same of the daemon: a noop run never changes it.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerModulesConformanceTests(DockerFixture docker) : ModuleConformanceTests
{
    private const string Tarball = "/srv/images/app.tar";

    protected override IEnumerable<IResourceModule> Modules =>
        [new DockerImageModule(docker.Client), new DockerNetworkModule(docker.Client), new DockerContainerModule(docker.Client)];

    protected override Task<TargetRoot> CreateTargetRootAsync()
    {
        var root = Directory.CreateTempSubdirectory("colabo-test-docker-").FullName;
        Directory.CreateDirectory(root + Path.GetDirectoryName(Tarball));
        using (var file = File.Create(root + Tarball))
        using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/app.conf") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("port=80\n")) });
        }

        return Task.FromResult(new TargetRoot(root));
    }

    protected override async Task DeleteTargetRootAsync(TargetRoot root)
    {
        var prefix = Prefix(root);
        await DockerFixture.Docker("rm", "-f", $"{prefix}-web");
        await DockerFixture.Docker("network", "rm", $"{prefix}-net");
        await DockerFixture.Docker("image", "rm", "-f", $"colabo-test/{prefix}-app:1");
        await base.DeleteTargetRootAsync(root);
    }

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root)
    {
        var prefix = Prefix(root);
        var network = Resources.Network(new DockerNetworkSpec { Name = $"{prefix}-net", Labels = { ["tier"] = "front" } });
        var image = Resources.Image(new DockerImageSpec { Name = $"colabo-test/{prefix}-app:1", ImportTarball = Tarball });
        var container = Resources.Container(new DockerContainerSpec
        {
            Name = $"{prefix}-web",
            Image = DockerFixture.BaseImage,
            Command = { DockerFixture.LongLived },
            Env = { ["ROLE"] = "web" },
            Networks = { network.Name },
            RestartPolicy = "unless-stopped",
        });
        container.Requires.Add(network.Id);
        return [network, image, container];
    }

    /// <summary>Removal runs the other way round: the container goes before its network.</summary>
    protected override IReadOnlyList<Resource> AbsentResources(TargetRoot root)
    {
        var absent = PresentResources(root).Select(r => { var a = r.Clone(); a.Ensure = Ensure.Absent; a.Requires.Clear(); return a; }).ToList();
        absent.Single(r => r.Kind == "docker_network").Requires.Add(absent.Single(r => r.Kind == "docker_container").Id);
        return absent;
    }

    [Fact(Timeout = 120_000)]
    public async Task A_noop_run_never_changes_the_docker_daemon()
    {
        var root = await CreateTargetRootAsync();
        try
        {
            var resources = PresentResources(root);
            var fresh = await DaemonSnapshot();
            var onFresh = await ConvergeAsync(root, resources, RunMode.Noop);
            var afterFresh = await DaemonSnapshot();
            AssertNoFailures(await ConvergeAsync(root, resources, RunMode.Enforce));
            resources[2].DockerContainer.Env["ROLE"] = "api";
            await DockerFixture.Docker("stop", resources[2].Name);
            var converged = await DaemonSnapshot();
            var onConverged = await ConvergeAsync(root, resources, RunMode.Noop);

            Assert.Equal(3, onFresh.Summary.WouldChange);
            Assert.Equal(fresh, afterFresh);
            Assert.Equal(OutcomeStatus.WouldChange, onConverged.Outcomes.Single(o => o.ResourceId == resources[2].Id).Status);
            Assert.Equal(converged, await DaemonSnapshot());
        }
        finally
        {
            await DeleteTargetRootAsync(root);
        }
    }

    /// <summary>Every container (id, name, state), network (id, name) and image (id, tags) the daemon has.</summary>
    private static async Task<string> DaemonSnapshot()
    {
        var containers = await DockerFixture.Docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.State}}");
        var networks = await DockerFixture.Docker("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}");
        var images = await DockerFixture.Docker("image", "ls", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
        static string Sorted(string lines) => string.Join('\n', lines.Split('\n').Order(StringComparer.Ordinal));
        return $"{Sorted(containers.Output)}\n--\n{Sorted(networks.Output)}\n--\n{Sorted(images.Output)}";
    }

    private string Prefix(TargetRoot root) => $"{docker.RunPrefix}-{Path.GetFileName(root.Path)[^6..].ToLowerInvariant()}";
}
