using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Modules;

/// <summary>
/// A module whose resources react to <c>notify</c> (restart a service, re-run an exec). The engine
/// calls <see cref="RefreshAsync"/> at most once per run, after the resource itself converged and
/// only in enforce mode, when at least one resource notifying it changed.
/// </summary>
public interface IRefreshable
{
    /// <summary>Performs the refresh; the returned text goes into the outcome message ("restarted").</summary>
    Task<string> RefreshAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken);
}
