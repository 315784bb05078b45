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

    // The engine drives modules without knowing TState; these bridges keep it reflection-free.
    async Task<object?> IResourceModule.ReadStateAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken) =>
        await ReadAsync(desired, context, cancellationToken).ConfigureAwait(false);

    IReadOnlyList<PropertyDiff> IResourceModule.DiffState(Resource desired, object? current) => Diff(desired, (TState?)current);

    Task IResourceModule.ApplyStateAsync(Resource desired, object? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken) =>
        ApplyAsync(desired, (TState?)current, changes, context, cancellationToken);
}

/// <summary>The engine-facing, non-generic face of a module.</summary>
public interface IResourceModule
{
    /// <summary>The kind this module handles, as in resource ids ("file" in "file:/etc/motd").</summary>
    string Kind { get; }

    /// <summary>Pure validation of a desired resource; each entry is one message a person can act on.</summary>
    IReadOnlyList<string> Validate(Resource desired);

    /// <summary>Untyped bridge to <see cref="IResourceModule{TState}.ReadAsync"/>; implemented by that interface.</summary>
    Task<object?> ReadStateAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken);

    /// <summary>Untyped bridge to <see cref="IResourceModule{TState}.Diff"/>; implemented by that interface.</summary>
    IReadOnlyList<PropertyDiff> DiffState(Resource desired, object? current);

    /// <summary>Untyped bridge to <see cref="IResourceModule{TState}.ApplyAsync"/>; implemented by that interface.</summary>
    Task ApplyStateAsync(Resource desired, object? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken);
}
