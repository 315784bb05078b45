using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Accounts;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Accounts.AccountResources;

namespace Colabo.Config.Modules.Tests.Accounts;

/// <summary>useradd/usermod/userdel with --root against a private Debian minbase root.</summary>
public sealed class UserModuleTests : IAsyncLifetime
{
    private DebianRoot _root = null!;
    private ModuleContext _context = null!;
    private readonly IResourceModule[] _modules = [new UserModule(), new GroupModule()];

    public async Task InitializeAsync()
    {
        _root = await DebianRoot.CreateAsync();
        _context = new ModuleContext { Root = _root.Root, Commands = ProcessCommandRunner.Instance };
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    private Task<Colabo.Config.Engine.Running.RunReport> RunAsync(params Resource[] resources) => Converge.RunAsync(_modules, _context, resources);

    private PasswdEntry Passwd(string name) => AccountsSnapshot.Load(_root.Root).Users[name];

    [Fact(Timeout = 60_000)]
    public async Task A_new_user_gets_its_uid_shell_home_comment_and_groups_and_a_second_run_is_in_sync()
    {
        var alice = User("alice", u =>
        {
            u.Uid = 2001;
            u.Shell = "/bin/bash";
            u.Home = "/srv/alice";
            u.Comment = "Alice Example";
            u.ManageHome = true;
            u.Groups.Add("audio");
            u.Groups.Add("video");
        });

        var first = await RunAsync(alice);
        var second = await RunAsync(alice);

        Assert.Equal(OutcomeStatus.Changed, first.Outcomes.Single().Status);
        Assert.Equal(OutcomeStatus.InSync, second.Outcomes.Single().Status);
        Assert.Equal(new PasswdEntry("alice", 2001, Passwd("alice").Gid, "Alice Example", "/srv/alice", "/bin/bash"), Passwd("alice"));
        Assert.Equal(["audio", "video"], AccountsSnapshot.Load(_root.Root).SupplementaryGroupsOf("alice"));
        var home = HostFileSystem.Instance.GetStatus(_root.Resolve("/srv/alice"));
        Assert.Equal((FileKind.Directory, 2001), (home?.Kind, home?.Uid));
    }

    [Fact(Timeout = 60_000)]
    public async Task Supplementary_groups_are_a_minimum_unless_exclusive()
    {
        await RunAsync(User("bob", u => u.Groups.Add("audio")));
        await RunAsync(User("bob", u => u.Groups.Add("video")));

        var minimum = await RunAsync(User("bob", u => u.Groups.Add("audio")));
        Assert.Equal(OutcomeStatus.InSync, minimum.Outcomes.Single().Status);
        Assert.Equal(["audio", "video"], AccountsSnapshot.Load(_root.Root).SupplementaryGroupsOf("bob"));

        var exclusive = await RunAsync(User("bob", u => { u.Groups.Add("audio"); u.GroupsExclusive = true; }));

        var change = Assert.Single(exclusive.Outcomes.Single().Changes);
        Assert.Equal(("groups", "audio,video", "audio"), (change.Property, change.Before, change.After));
        Assert.Equal(["audio"], AccountsSnapshot.Load(_root.Root).SupplementaryGroupsOf("bob"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Changed_uid_and_shell_are_applied_and_reported_with_before_and_after()
    {
        await RunAsync(User("carol", u => { u.Uid = 3000; u.Shell = "/bin/sh"; }));

        var report = await RunAsync(User("carol", u => { u.Uid = 3001; u.Shell = "/bin/bash"; }));

        var changes = report.Outcomes.Single().Changes.Select(c => (c.Property, c.Before, c.After));
        Assert.Equal([("uid", "3000", "3001"), ("shell", "/bin/sh", "/bin/bash")], changes);
        Assert.Equal((3001u, "/bin/bash"), (Passwd("carol").Uid, Passwd("carol").Shell));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_absent_user_is_removed_with_its_home_when_the_home_is_managed()
    {
        await RunAsync(User("dave", u => u.ManageHome = true));
        Assert.True(Directory.Exists(_root.Resolve("/home/dave")));

        var report = await RunAsync(User("dave", u => u.ManageHome = true, Ensure.Absent));

        Assert.Equal(OutcomeStatus.Changed, report.Outcomes.Single().Status);
        Assert.False(AccountsSnapshot.Load(_root.Root).Users.ContainsKey("dave"));
        Assert.False(Directory.Exists(_root.Resolve("/home/dave")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_changed_home_is_moved_with_its_content_when_the_home_is_managed()
    {
        await RunAsync(User("hugo", u => u.ManageHome = true));
        await File.WriteAllTextAsync(_root.Resolve("/home/hugo/notes.txt"), "keep me");

        var report = await RunAsync(User("hugo", u => { u.ManageHome = true; u.Home = "/srv/hugo"; }));

        var change = Assert.Single(report.Outcomes.Single().Changes);
        Assert.Equal(("home", "/home/hugo", "/srv/hugo"), (change.Property, change.Before, change.After));
        Assert.Equal("keep me", await File.ReadAllTextAsync(_root.Resolve("/srv/hugo/notes.txt")));
        Assert.False(Directory.Exists(_root.Resolve("/home/hugo")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_password_hash_is_set_and_never_appears_in_the_report()
    {
        const string hash = "$6$saltsalt$7HbXHg4nVy2bQ3tXw0C4bXG5o7M2UuQx2Gq3n5E0oG1m6c2p3ZbVb6tVQk8Yk7aV3h5xYQ1n2m3b4v5c6x7z8.";
        await RunAsync(User("erin"));

        var report = await RunAsync(User("erin", u => u.PasswordHash = hash));

        Assert.Equal(hash, AccountsSnapshot.Load(_root.Root).PasswordHashes["erin"]);
        var change = Assert.Single(report.Outcomes.Single().Changes);
        Assert.Equal("password_hash", change.Property);
        Assert.DoesNotContain("saltsalt", report.Outcomes.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_system_user_gets_a_system_uid_and_no_home()
    {
        await RunAsync(User("svc-agent", u => { u.System = true; u.Shell = "/usr/sbin/nologin"; }));

        Assert.InRange(Passwd("svc-agent").Uid, 100u, 999u);
        Assert.False(Directory.Exists(_root.Resolve("/home/svc-agent")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_user_whose_same_name_group_already_exists_joins_that_group()
    {
        var report = await RunAsync(Group("frank", 4242), User("frank").Requiring("group:frank"));

        Assert.True(report.Outcomes.All(o => o.Status == OutcomeStatus.Changed), report.Statuses());
        Assert.Equal(4242u, Passwd("frank").Gid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_primary_group_fails_with_the_tool_s_reason()
    {
        var report = await RunAsync(User("gina", u => u.Group = "no-such-group"));

        var outcome = report.Outcomes.Single();
        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Contains("no-such-group", outcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData("1alice")]
    [InlineData("al:ice")]
    [InlineData("a-name-that-is-much-longer-than-32-chars")]
    public void Names_shadow_utils_would_refuse_are_rejected(string name) => Assert.NotEmpty(new UserModule().Validate(User(name)));

    [Fact]
    public void A_relative_home_is_rejected() => Assert.Contains("home", Assert.Single(new UserModule().Validate(User("alice", u => u.Home = "home/alice"))), StringComparison.Ordinal);
}
