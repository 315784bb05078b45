using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;

namespace Colabo.Config.Modules.Tests.Support;

/// <summary>Runs the real engine with the core modules over a few resources.</summary>
internal static class Converge
{
    public static Task<RunReport> RunAsync(TargetRoot root, params Resource[] resources) => RunAsync(root, RunMode.Enforce, resources);

    public static Task<RunReport> RunAsync(TargetRoot root, RunMode mode, params Resource[] resources)
    {
        var catalog = new Catalog { Node = "test" };
        catalog.Resources.AddRange(resources.Select(r => r.Clone()));
        var engine = new ConvergenceEngine(CoreModules.Registry(), ModuleContext.ForRoot(root));
        return engine.RunAsync(catalog, new RunOptions { Mode = mode }, CancellationToken.None);
    }

    public static ResourceOutcome Single(this RunReport report, string id) => report[id];
}
