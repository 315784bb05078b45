using Colabo.Config.Engine.Host;

namespace Colabo.Config.Engine.Modules;

/// <summary>What a module may touch: the target root and the host ports.</summary>
public sealed record ModuleContext
{
    /// <summary>"/" or a sandbox root; every host path a module touches is resolved under it.</summary>
    public required TargetRoot Root { get; init; }

    public required ICommandRunner Commands { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
