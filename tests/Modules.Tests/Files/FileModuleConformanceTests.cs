using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Files;
using Colabo.Config.Modules.Tests.Support;

namespace Colabo.Config.Modules.Tests.Files;

/// <summary>file, directory and line on an empty sandbox root with a seeded /etc.</summary>
public sealed class FileModuleConformanceTests : ModuleConformanceTests
{
    protected override IEnumerable<IResourceModule> Modules => [new FileModule(), new DirectoryModule(), new LineModule()];

    protected override Task<TargetRoot> CreateTargetRootAsync()
    {
        var root = TemporaryRoot.Create();
        System.IO.Directory.CreateDirectory(root.Resolve("/etc"));
        File.WriteAllText(root.Resolve("/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n");
        File.WriteAllText(root.Resolve("/etc/group"), "root:x:0:\ndaemon:x:1:\nadm:x:4:\n");
        File.WriteAllText(root.Resolve("/etc/ssh.conf"), "# seeded\nPort 22\nPermitRootLogin yes\n");
        return Task.FromResult(root);
    }

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root) =>
    [
        Samples.Directory("/srv", mode: "0755"),
        Samples.Directory("/srv/app", mode: "0750", owner: "daemon", requires: "directory:/srv"),
        Samples.File("/srv/app/config.ini", "[app]\nname = demo\n", mode: "0640", owner: "daemon", group: "adm", requires: "directory:/srv/app"),
        Samples.File("/srv/app/empty", requires: "directory:/srv/app"),
        Samples.File("/srv/app/big.bin", new string('x', 300_000), mode: "0600", requires: "directory:/srv/app"),
        Samples.Line("root-login", "/etc/ssh.conf", "PermitRootLogin no", match: "^PermitRootLogin "),
        Samples.Line("banner", "/etc/ssh.conf", "Banner /etc/issue", after: "^Port "),
    ];
}
