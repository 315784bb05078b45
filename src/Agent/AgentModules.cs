using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules;
using Colabo.Config.Modules.Docker;
using Colabo.Config.Modules.Kubernetes;

namespace Colabo.Config.Agent;

/// <summary>Every module the agent ships: the core modules, the docker_* modules and kubernetes.</summary>
internal static class AgentModules
{
    // One client for the process; it connects to the daemon's socket on the first docker_* resource only.
    private static readonly DockerClient Docker = new();

    /// <param name="nodeName">The node being converged: part of the kubernetes owned-by label, so two
    /// nodes applying a resource of the same name never prune each other's objects.</param>
    public static ModuleRegistry Registry(string nodeName) =>
        new([
            .. CoreModules.Create(),
            .. DockerModules.Create(Docker),
            new KubernetesModule(new KubernetesModuleOptions { NodeName = nodeName }),
        ]);
}
