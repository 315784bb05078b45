using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;

namespace Colabo.Config.Engine.Tests.Support;

/// <summary>Catalog and engine builders for engine tests.</summary>
internal static class Fake
{
    public static Resource Resource(string name, string[]? requires = null, string[]? notify = null, string[]? implicitRequires = null)
    {
        var resource = new Resource { Id = "fake:" + name, Kind = "fake", Name = name };
        resource.Requires.AddRange(requires ?? []);
        resource.Notify.AddRange(notify ?? []);
        resource.ImplicitRequires.AddRange(implicitRequires ?? []);
        return resource;
    }

    public static Catalog Catalog(params Resource[] resources)
    {
        var catalog = new Catalog { Node = "test", Commit = "abc", ContentHash = "sha256:00" };
        catalog.Resources.AddRange(resources);
        return catalog;
    }

    public static ConvergenceEngine Engine(FakeModule module) =>
        new(new ModuleRegistry([module]), new ModuleContext { Root = TargetRoot.HostRoot, Commands = ProcessCommandRunner.Instance });

    public static Task<RunReport> RunAsync(this FakeModule module, Catalog catalog, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        Engine(module).RunAsync(catalog, options ?? new RunOptions(), cancellationToken);
}
