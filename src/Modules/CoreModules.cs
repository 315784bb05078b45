using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Accounts;
using Colabo.Config.Modules.Exec;
using Colabo.Config.Modules.Files;
using Colabo.Config.Modules.Packages;
using Colabo.Config.Modules.Services;
using Colabo.Config.Modules.Ssh;

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
        new PackageModule(),
        new UserModule(),
        new GroupModule(),
        new SshAuthorizedKeyModule(),
        new ServiceModule(),
    ];

    public static ModuleRegistry Registry() => new(Create());
}
