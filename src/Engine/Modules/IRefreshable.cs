using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Modules;

/// <summary>A module whose resources react to <c>notify</c> (restart a service, re-run an exec).</summary>
public interface IRefreshable
{
    Task RefreshAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken);
}
