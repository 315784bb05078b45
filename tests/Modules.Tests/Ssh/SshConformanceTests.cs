using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Accounts;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Ssh;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Ssh.SshAuthorizedKeyModuleTests;

namespace Colabo.Config.Modules.Tests.Ssh;

/// <summary>The shared module conformance kit for ssh_authorized_key; the users exist before the run.</summary>
public sealed class SshConformanceTests : ModuleConformanceTests
{
    private readonly ConcurrentDictionary<string, DebianRoot> _roots = new();

    protected override IEnumerable<IResourceModule> Modules => [new SshAuthorizedKeyModule()];

    protected override async Task<TargetRoot> CreateTargetRootAsync()
    {
        var root = await DebianRoot.CreateAsync();
        _roots[root.Path] = root;
        var context = new ModuleContext { Root = root.Root, Commands = ProcessCommandRunner.Instance };
        var report = await Converge.RunAsync([new UserModule()], context, [User("alice"), OtherUser("bob")]);
        Assert.False(report.HasFailures, report.Statuses());
        return root.Root;
    }

    protected override async Task DeleteTargetRootAsync(TargetRoot root)
    {
        if (_roots.TryRemove(root.Path, out var debian))
        {
            await debian.DisposeAsync();
        }
    }

    // The users exist before every run here, so the samples carry no edge to them.
    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root) =>
    [
        .. new[]
        {
            Key("alice", KeyA, "alice@laptop", exclusive: true, managed: [KeyA, KeyB]),
            Key("alice", KeyB, "alice@desk", exclusive: true, managed: [KeyA, KeyB]),
            Key("bob", KeyC, "bob@laptop"),
        }.Select(key => { key.ImplicitRequires.Clear(); return key; }),
    ];

    private static Resource OtherUser(string name)
    {
        // After alice, so every root numbers their groups the same way.
        var user = User(name);
        user.User.Uid = 2200;
        user.Requires.Add("user:alice");
        return user;
    }
}
