namespace Colabo.Config.Engine.Modules;

/// <summary>
/// A module whose apply is an action rather than a state change (exec): a successful apply is
/// the convergence, so the engine does not read again to verify it. Every other module is verified.
/// </summary>
public interface IActionModule
{
}
