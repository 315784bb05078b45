using System.Collections.Frozen;

namespace Colabo.Config.Engine.Modules;

/// <summary>The modules of a run, by kind. Two modules claiming one kind is a programming error.</summary>
public sealed class ModuleRegistry
{
    private readonly FrozenDictionary<string, IResourceModule> _byKind;

    public ModuleRegistry(IEnumerable<IResourceModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var byKind = new Dictionary<string, IResourceModule>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            if (!byKind.TryAdd(module.Kind, module))
            {
                throw new ArgumentException($"two modules handle kind '{module.Kind}': {byKind[module.Kind].GetType().Name} and {module.GetType().Name}", nameof(modules));
            }
        }

        _byKind = byKind.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Kinds => _byKind.Keys;

    public IEnumerable<IResourceModule> Modules => _byKind.Values;

    public bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IResourceModule? module) =>
        _byKind.TryGetValue(kind, out module);
}
