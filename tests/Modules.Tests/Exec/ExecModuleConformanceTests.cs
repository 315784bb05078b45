using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Exec;
using Colabo.Config.Modules.Files;
using Colabo.Config.Modules.Tests.Support;

namespace Colabo.Config.Modules.Tests.Exec;

/// <summary>exec guarded by creates/unless on an empty sandbox (no shell inside: the host shell runs in the root).</summary>
public sealed class ExecModuleConformanceTests : ModuleConformanceTests
{
    // An exec is an action: there is no "absent" to round-trip to.
    protected override bool RoundTripsAbsent => false;

    protected override IEnumerable<IResourceModule> Modules => [new ExecModule(), new DirectoryModule()];

    protected override Task<TargetRoot> CreateTargetRootAsync() => Task.FromResult(TemporaryRoot.Create());

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root)
    {
        var marker = Samples.Exec("marker", "echo done > \"$COLABO_TARGET_ROOT/srv/marker\"", creates: "/srv/marker");
        marker.ImplicitRequires.Add("directory:/srv");
        var stamp = Samples.Exec("stamp", "echo stamped > \"$COLABO_TARGET_ROOT/srv/stamp\"", unless: "test -e \"$COLABO_TARGET_ROOT/srv/stamp\"");
        stamp.ImplicitRequires.Add("directory:/srv");
        return [Samples.Directory("/srv"), marker, stamp];
    }
}
