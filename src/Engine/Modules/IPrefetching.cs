using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Modules;

/// <summary>
/// A module that reads the state of all its resources of a run at once (one dpkg-query for every
/// package), before the engine starts. Later reads may answer from what was prefetched.
/// </summary>
public interface IPrefetching
{
    Task PrefetchAsync(IReadOnlyList<Resource> resources, ModuleContext context, CancellationToken cancellationToken);
}
