namespace Colabo.Config.Engine.Host;

/// <summary>Runs processes. The port every module uses instead of <c>Process</c> directly.</summary>
public interface ICommandRunner
{
    Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken);
}
