using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Docker.Tests;

/// <summary>Catalog resources as the compiler would emit them.</summary>
internal static class Resources
{
    public static Resource Container(DockerContainerSpec spec, Ensure ensure = Ensure.Unspecified) =>
        new() { Id = $"docker_container:{spec.Name}", Kind = "docker_container", Name = spec.Name, Ensure = ensure, DockerContainer = spec };

    public static Resource Image(DockerImageSpec spec, Ensure ensure = Ensure.Unspecified) =>
        new() { Id = $"docker_image:{spec.Name}", Kind = "docker_image", Name = spec.Name, Ensure = ensure, DockerImage = spec };

    public static Resource Network(DockerNetworkSpec spec, Ensure ensure = Ensure.Unspecified) =>
        new() { Id = $"docker_network:{spec.Name}", Kind = "docker_network", Name = spec.Name, Ensure = ensure, DockerNetwork = spec };
}
