using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Services;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Services.ServiceResources;

namespace Colabo.Config.Modules.Tests.Services;

/// <summary>
/// The shared module conformance kit for service: every test boots its own container whose root
/// holds two unit files. "Absent" for a service is stopped and disabled.
/// </summary>
public sealed class ServiceConformanceTests : ModuleConformanceTests
{
    private readonly ConcurrentDictionary<string, NspawnContainer> _containers = new();
    private NspawnContainer? _current;

    protected override IEnumerable<IResourceModule> Modules =>
        [new ServiceModule(ServiceModuleOptions.ForContainer(_current?.LeaderPid ?? throw new InvalidOperationException("no container")))];

    protected override async Task<TargetRoot> CreateTargetRootAsync()
    {
        var container = await NspawnContainer.StartAsync();
        foreach (var (name, sleep) in new[] { ("colabo-one", "7001"), ("colabo-two", "7002") })
        {
            await File.WriteAllTextAsync(container.Root.Resolve($"/etc/systemd/system/{name}.service"), UnitText("/bin/sleep " + sleep));
        }

        await container.ExecAsync(["systemctl", "daemon-reload"]);
        _containers[container.Root.Path] = container;
        _current = container;
        return container.Root;
    }

    protected override async Task DeleteTargetRootAsync(TargetRoot root)
    {
        if (_containers.TryRemove(root.Path, out var container))
        {
            await container.DisposeAsync();
        }
    }

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root) =>
        [Service("colabo-one", enabled: true), Service("colabo-two", enabled: true)];

    protected override IReadOnlyList<Resource> AbsentResources(TargetRoot root) =>
        [Service("colabo-one", Ensure.Stopped, enabled: false), Service("colabo-two", Ensure.Stopped, enabled: false)];

    // What a running systemd writes on its own: its state and caches, logs, temporary files.
    protected override bool IsIgnoredInSnapshot(string hostPath) =>
        hostPath.StartsWith("/var/lib/systemd/", StringComparison.Ordinal)
        || hostPath.StartsWith("/var/log/", StringComparison.Ordinal)
        || hostPath.StartsWith("/var/tmp/", StringComparison.Ordinal)
        || hostPath.StartsWith("/tmp/", StringComparison.Ordinal);
}
