using Colabo.Config.Engine.Host;

namespace Colabo.Config.Engine.Modules;

/// <summary>What a module may touch: the target root and the host ports.</summary>
public sealed record ModuleContext
{
    /// <summary>"/" or a sandbox root; every host path a module touches is resolved under it.</summary>
    public required TargetRoot Root { get; init; }

    public required ICommandRunner Commands { get; init; }

    /// <summary>Every file write of a module goes through this port (atomic writes, crash injection in the conformance kit).</summary>
    public IFileSystem Files { get; init; } = HostFileSystem.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The context for the real host: "/" with real processes and files.</summary>
    public static ModuleContext ForRoot(TargetRoot root) => new() { Root = root, Commands = ProcessCommandRunner.Instance };
}
