using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Accounts;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Accounts.AccountResources;

namespace Colabo.Config.Modules.Tests.Accounts;

/// <summary>The shared module conformance kit for user and group, in a private Debian minbase root per test.</summary>
public sealed class AccountsConformanceTests : ModuleConformanceTests
{
    private readonly ConcurrentDictionary<string, DebianRoot> _roots = new();

    protected override IEnumerable<IResourceModule> Modules => [new UserModule(), new GroupModule()];

    protected override async Task<TargetRoot> CreateTargetRootAsync()
    {
        var root = await DebianRoot.CreateAsync();
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

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root) =>
    [
        Group("deploy", 2000),
        User("alice", u =>
        {
            u.Uid = 2001;
            u.Group = "deploy";
            u.Groups.Add("audio");
            u.Shell = "/bin/bash";
            u.Comment = "Alice";
            u.ManageHome = true;
        }).Requiring("group:deploy"),
        User("svc", u => { u.System = true; u.Shell = "/usr/sbin/nologin"; }),
    ];

    // Removal runs the other way round: a group cannot go while it is a user's primary group.
    protected override IReadOnlyList<Resource> AbsentResources(TargetRoot root) =>
    [
        User("alice", u => u.ManageHome = true, Ensure.Absent),
        User("svc", ensure: Ensure.Absent),
        Group("deploy", ensure: Ensure.Absent).Requiring("user:alice"),
    ];

    // shadow-utils keep the previous file as "passwd-", "group-", ...; lastlog/faillog are logs.
    protected override bool IsIgnoredInSnapshot(string hostPath) =>
        (hostPath.StartsWith("/etc/", StringComparison.Ordinal) && hostPath.EndsWith('-'))
        || hostPath.StartsWith("/var/log/", StringComparison.Ordinal);
}
