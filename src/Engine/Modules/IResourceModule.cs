using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Modules;

/// <summary>
/// One resource kind ("package", "file", ...). The module reads and applies; the engine diffs
/// through <see cref="Diff"/>, owns noop and audit, and never asks a module to apply in noop.
/// </summary>
/// <typeparam name="TState">What the module observes on the host; null means absent.</typeparam>
public interface IResourceModule<TState> : IResourceModule
    where TState : class
{
    /// <summary>Reads the current state. Must not change anything on the host.</summary>
    Task<TState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken);

    /// <summary>Pure: what differs between desired and current; empty means in sync.</summary>
    IReadOnlyList<PropertyDiff> Diff(Resource desired, TState? current);

    /// <summary>Makes the host match <paramref name="desired"/>. Only called in enforce mode with a non-empty diff.</summary>
    Task ApplyAsync(Resource desired, TState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken);
}

/// <summary>The engine-facing, non-generic face of a module.</summary>
public interface IResourceModule
{
    /// <summary>The kind this module handles, as in resource ids ("file" in "file:/etc/motd").</summary>
    string Kind { get; }

    /// <summary>Pure validation of a desired resource; each entry is one message a person can act on.</summary>
    IReadOnlyList<string> Validate(Resource desired);
}
