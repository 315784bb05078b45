using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Kubernetes.Tests.Support;

/// <summary>The engine's read → diff → apply → read → diff loop for one resource, as unit tests need it.</summary>
public static class Converge
{
    public static ModuleContext HostContext { get; } = ModuleContext.ForRoot(TargetRoot.HostRoot);

    public static async Task<IReadOnlyList<PropertyDiff>> Run<TState>(IResourceModule<TState> module, Resource desired, ModuleContext? context = null)
        where TState : class
    {
        context ??= HostContext;
        Assert.Empty(module.Validate(desired));
        var current = await module.ReadAsync(desired, context, CancellationToken.None);
        var changes = module.Diff(desired, current);
        if (changes.Count == 0)
        {
            return changes;
        }

        await module.ApplyAsync(desired, current, changes, context, CancellationToken.None);
        var after = module.Diff(desired, await module.ReadAsync(desired, context, CancellationToken.None));
        Assert.True(after.Count == 0, $"did not converge: {string.Join("; ", after)}");
        return changes;
    }

    public static async Task<IReadOnlyList<PropertyDiff>> Plan<TState>(IResourceModule<TState> module, Resource desired, ModuleContext? context = null)
        where TState : class =>
        module.Diff(desired, await module.ReadAsync(desired, context ?? HostContext, CancellationToken.None));
}
