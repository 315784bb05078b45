using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Exec;
using Colabo.Config.Modules.Files;

namespace Colabo.Config.Modules;

/// <summary>Every core module the agent ships. One line per module; the registry rejects duplicate kinds.</summary>
public static class CoreModules
{
    public static IReadOnlyList<IResourceModule> Create() =>
    [
        new FileModule(),
        new DirectoryModule(),
        new LineModule(),
        new ExecModule(),
    ];

    public static ModuleRegistry Registry() => new(Create());
}
