using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Accounts;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Accounts.AccountResources;

namespace Colabo.Config.Modules.Tests.Accounts;

/// <summary>groupadd/groupmod/groupdel with --root against a private Debian minbase root.</summary>
public sealed class GroupModuleTests : IAsyncLifetime
{
    private DebianRoot _root = null!;
    private ModuleContext _context = null!;

    public async Task InitializeAsync()
    {
        _root = await DebianRoot.CreateAsync();
        _context = new ModuleContext { Root = _root.Root, Commands = ProcessCommandRunner.Instance };
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    private Task<Colabo.Config.Engine.Running.RunReport> RunAsync(params Resource[] resources) => Converge.RunAsync([new GroupModule()], _context, resources);

    private IReadOnlyDictionary<string, GroupEntry> Groups => AccountsSnapshot.Load(_root.Root).Groups;

    [Fact(Timeout = 60_000)]
    public async Task A_group_is_created_with_its_gid_then_renumbered_then_removed()
    {
        var created = await RunAsync(Group("deploy", 2500));
        var renumbered = await RunAsync(Group("deploy", 2600));
        Assert.Equal(2600u, Groups["deploy"].Gid);
        var removed = await RunAsync(Group("deploy", ensure: Ensure.Absent));

        Assert.Equal(OutcomeStatus.Changed, created.Outcomes.Single().Status);
        var change = Assert.Single(renumbered.Outcomes.Single().Changes);
        Assert.Equal(("gid", "2500", "2600"), (change.Property, change.Before, change.After));
        Assert.Equal(OutcomeStatus.Changed, removed.Outcomes.Single().Status);
        Assert.False(Groups.ContainsKey("deploy"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_system_group_gets_a_gid_below_1000()
    {
        await RunAsync(Group("svc", system: true));

        Assert.InRange(Groups["svc"].Gid, 100u, 999u);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_group_without_a_gid_keeps_whatever_gid_it_has()
    {
        await RunAsync(Group("ops", 2700));

        var report = await RunAsync(Group("ops"));

        Assert.Equal(OutcomeStatus.InSync, report.Outcomes.Single().Status);
    }

    [Fact]
    public void An_invalid_group_name_is_rejected() => Assert.NotEmpty(new GroupModule().Validate(Group("Ops Team")));
}
