using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Docker;

/// <summary>The docker_* modules over one shared client; the agent adds them to its module registry.</summary>
public static class DockerModules
{
    public static IReadOnlyList<IResourceModule> Create(DockerClient client) =>
    [
        new DockerImageModule(client),
        new DockerNetworkModule(client),
        new DockerContainerModule(client),
    ];
}
