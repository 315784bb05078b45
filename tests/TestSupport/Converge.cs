using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;

namespace Colabo.Config.TestSupport;

/// <summary>Runs the real convergence engine over a handful of resources, as the agent would.</summary>
public static class Converge
{
    public static Task<RunReport> RunAsync(IEnumerable<IResourceModule> modules, ModuleContext context, IEnumerable<Resource> resources, RunMode mode = RunMode.Enforce)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var catalog = new Catalog { Node = "test" };
        catalog.Resources.AddRange(resources.Select(r => r.Clone()));
        return new ConvergenceEngine(new ModuleRegistry(modules), context).RunAsync(catalog, new RunOptions { Mode = mode }, CancellationToken.None);
    }

    /// <summary>"id=status" for every outcome, for assertions that show the whole run when they fail.</summary>
    public static string Statuses(this RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Join(", ", report.Outcomes.Select(o => $"{o.ResourceId}={o.Status}{(o.Message.Length > 0 ? $" ({o.Message})" : "")}"));
    }
}
