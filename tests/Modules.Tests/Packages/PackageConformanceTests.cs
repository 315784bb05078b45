using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Packages;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Packages.PackageResources;

namespace Colabo.Config.Modules.Tests.Packages;

/// <summary>The shared module conformance kit, with real apt in a private Debian minbase root per test.</summary>
public sealed class PackageConformanceTests : ModuleConformanceTests
{
    private readonly ConcurrentDictionary<string, DebianRoot> _roots = new();

    // The image's package lists count as fresh: the kit is about convergence, not list age.
    protected override IEnumerable<IResourceModule> Modules => [new PackageModule(new PackageModuleOptions { MaxListAge = TimeSpan.FromDays(3650) })];

    protected override async Task<TargetRoot> CreateTargetRootAsync()
    {
        var root = await DebianRoot.CreateAsync(DebianRoot.MinbaseApt);
        _roots[root.Path] = root;
        return root.Root;
    }

    protected override async Task DeleteTargetRootAsync(TargetRoot root)
    {
        if (_roots.TryRemove(root.Path, out var debian))
        {
            await debian.DisposeAsync();
        }
    }

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root) => [Package("tree"), Package("hello"), Package("dpkg")];

    protected override IReadOnlyList<Resource> AbsentResources(TargetRoot root) => [Package("tree", Ensure.Absent), Package("hello", Ensure.Absent)];

    // apt's download cache, package lists, logs, and dpkg's own backups change with every transaction;
    // what is installed lives in /var/lib/dpkg/status and the package files, which stay compared.
    protected override bool IsIgnoredInSnapshot(string hostPath) =>
        hostPath.StartsWith("/var/cache/", StringComparison.Ordinal)
        || hostPath.StartsWith("/var/lib/apt/", StringComparison.Ordinal)
        || hostPath.StartsWith("/var/log/", StringComparison.Ordinal)
        || hostPath.EndsWith("-old", StringComparison.Ordinal);
}
