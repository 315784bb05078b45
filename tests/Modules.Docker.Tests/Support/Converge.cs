using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Docker.Tests.Support;

/// <summary>The engine's read → diff → apply → read → diff loop for one resource, as tests need it.</summary>
public static class Converge
{
    /// <summary>
    /// Converges as the engine does and returns the changes it would report (the first diff, with values
    /// only the apply knew filled in); fails when a second diff is not empty.
    /// </summary>
    public static async Task<IReadOnlyList<PropertyDiff>> Run<TState>(IResourceModule<TState> module, Resource desired, ModuleContext context)
        where TState : class
    {
        Assert.Empty(module.Validate(desired));
        var current = await module.ReadAsync(desired, context, CancellationToken.None);
        var changes = module.Diff(desired, current);
        if (changes.Count == 0)
        {
            return changes;
        }

        await module.ApplyAsync(desired, current, changes, context, CancellationToken.None);
        var state = await module.ReadAsync(desired, context, CancellationToken.None);
        var after = module.Diff(desired, state);
        Assert.True(after.Count == 0, $"did not converge: {string.Join("; ", after)}");
        return module is IResolvesChanges resolving ? resolving.Resolve(changes, state) : changes;
    }

    public static async Task<IReadOnlyList<PropertyDiff>> Plan<TState>(IResourceModule<TState> module, Resource desired, ModuleContext context)
        where TState : class =>
        module.Diff(desired, await module.ReadAsync(desired, context, CancellationToken.None));
}
