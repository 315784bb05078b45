using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;
using Colabo.Config.Modules.Accounts;
using Colabo.Config.Modules.Ssh;
using Colabo.Config.TestSupport;

namespace Colabo.Config.Modules.Tests.Ssh;

/// <summary>Keys of users created by the user module in a private Debian minbase root.</summary>
public sealed class SshAuthorizedKeyModuleTests : IAsyncLifetime
{
    internal const string KeyA = "AAAAC3NzaC1lZDI1NTE5AAAAIGq1Jw7xJ2y5bQ3Zq8b8m3d5c2p1o0nA4fXk9yW6uE1A";
    internal const string KeyB = "AAAAC3NzaC1lZDI1NTE5AAAAIHb2Kx8yK3z6cR4Ar9c9n4e6d3q2p1oB5gYl0zX7vF2B";
    internal const string KeyC = "AAAAC3NzaC1lZDI1NTE5AAAAIJc3Ly9zL4a7dS5Bs0d0o5f7e4r3q2pC6hZm1aY8wG3C";

    private readonly IResourceModule[] _modules = [new UserModule(), new SshAuthorizedKeyModule()];
    private DebianRoot _root = null!;
    private ModuleContext _context = null!;

    public async Task InitializeAsync()
    {
        _root = await DebianRoot.CreateAsync();
        _context = new ModuleContext { Root = _root.Root, Commands = ProcessCommandRunner.Instance };
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    internal static Resource User(string name) =>
        new() { Id = "user:" + name, Kind = "user", Name = name, User = new UserSpec { Name = name, ManageHome = true, Uid = 2100 } };

    internal static Resource Key(string user, string key, string comment, bool exclusive = false, Ensure ensure = Ensure.Present, params string[] managed)
    {
        var resource = new Resource
        {
            Id = $"ssh_authorized_key:{user}:{comment}",
            Kind = "ssh_authorized_key",
            Name = $"{user}:{comment}",
            Ensure = ensure,
            SshAuthorizedKey = new SshAuthorizedKeySpec { User = user, Type = "ssh-ed25519", Key = key, Comment = comment, Exclusive = exclusive },
        };
        resource.SshAuthorizedKey.ManagedKeys.AddRange(managed);
        resource.ImplicitRequires.Add("user:" + user);
        return resource;
    }

    private Task<RunReport> RunAsync(params Resource[] resources) => Converge.RunAsync(_modules, _context, resources);

    private string AuthorizedKeys(string user) => File.ReadAllText(_root.Resolve($"/home/{user}/.ssh/authorized_keys"));

    private FileStatus Status(string path) => HostFileSystem.Instance.GetStatus(_root.Resolve(path))!;

    [Fact(Timeout = 60_000)]
    public async Task Keys_land_in_a_0600_file_in_a_0700_directory_owned_by_the_user()
    {
        var report = await RunAsync(User("alice"), Key("alice", KeyA, "alice@laptop"), Key("alice", KeyB, "alice@desk"));

        Assert.True(report.Outcomes.All(o => o.Status == OutcomeStatus.Changed), report.Statuses());
        var lines = AuthorizedKeys("alice").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains($"ssh-ed25519 {KeyA} alice@laptop", lines);
        Assert.Contains($"ssh-ed25519 {KeyB} alice@desk", lines);
        var directory = Status("/home/alice/.ssh");
        var file = Status("/home/alice/.ssh/authorized_keys");
        Assert.Equal(("0700", 2100), (directory.OctalMode, directory.Uid));
        Assert.Equal(("0600", 2100), (file.OctalMode, file.Uid));
        Assert.Equal(file.Gid, (int)AccountsSnapshot.Load(_root.Root).Users["alice"].Gid);
    }

    [Fact(Timeout = 60_000)]
    public async Task Loosened_modes_and_a_foreign_owner_are_repaired()
    {
        await RunAsync(User("bob"), Key("bob", KeyA, "bob@laptop"));
        HostFileSystem.Instance.SetMode(_root.Resolve("/home/bob/.ssh"), FileModes.Parse("0755"));
        HostFileSystem.Instance.SetOwner(_root.Resolve("/home/bob/.ssh/authorized_keys"), 0, 0);

        var report = await RunAsync(User("bob"), Key("bob", KeyA, "bob@laptop"));

        var changes = report["ssh_authorized_key:bob:bob@laptop"].Changes.Select(c => (c.Property, c.Before, c.After)).ToList();
        Assert.Contains(("ssh_directory_mode", "0755", "0700"), changes);
        Assert.Contains(("authorized_keys_owner", "0:0", "2100:" + AccountsSnapshot.Load(_root.Root).Users["bob"].Gid), changes);
        Assert.Equal("0700", Status("/home/bob/.ssh").OctalMode);
        Assert.Equal(2100, Status("/home/bob/.ssh/authorized_keys").Uid);
    }

    [Fact(Timeout = 60_000)]
    public async Task Exclusive_mode_removes_keys_no_resource_declares_and_keeps_the_declared_ones()
    {
        await RunAsync(User("carol"));
        var ssh = _root.Resolve("/home/carol/.ssh");
        Directory.CreateDirectory(ssh);
        File.WriteAllText(ssh + "/authorized_keys", $"# added by hand\nssh-ed25519 {KeyC} intruder@somewhere\nssh-ed25519 {KeyB} carol@desk\n");

        var report = await RunAsync(
            User("carol"),
            Key("carol", KeyA, "carol@laptop", exclusive: true, managed: [KeyA, KeyB]),
            Key("carol", KeyB, "carol@desk", exclusive: true, managed: [KeyA, KeyB]));

        // The two keys converge in parallel: whichever runs first removes the unmanaged key, the other finds none.
        var removal = report.Outcomes.Where(o => o.ResourceId.StartsWith("ssh_authorized_key:carol:", StringComparison.Ordinal))
            .SelectMany(o => o.Changes).Single(c => c.Property == "unmanaged_keys");
        Assert.Contains("intruder@somewhere", removal.Before, StringComparison.Ordinal);
        var content = AuthorizedKeys("carol");
        Assert.DoesNotContain(KeyC, content, StringComparison.Ordinal);
        Assert.Contains(KeyA, content, StringComparison.Ordinal);
        Assert.Contains(KeyB, content, StringComparison.Ordinal);
        Assert.Contains("# added by hand", content, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_users_keys_end_in_managed_keys_order_whichever_is_applied_first()
    {
        await RunAsync(User("erin"));
        string[] managed = [KeyA, KeyB, KeyC];

        // The last of the managed keys first (as a worker may take it), then the first, then the middle one.
        await RunAsync(User("erin"), Key("erin", KeyC, "erin@c", managed: managed));
        await RunAsync(User("erin"), Key("erin", KeyA, "erin@a", managed: managed));
        await RunAsync(User("erin"), Key("erin", KeyB, "erin@b", managed: managed));

        Assert.Equal(["erin@a", "erin@b", "erin@c"], AuthorizedKeys("erin").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[^1]));
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_exclusive_mode_other_keys_stay()
    {
        await RunAsync(User("dave"), Key("dave", KeyC, "dave@old"));

        await RunAsync(User("dave"), Key("dave", KeyA, "dave@laptop"));

        Assert.Contains(KeyC, AuthorizedKeys("dave"), StringComparison.Ordinal);
        Assert.Contains(KeyA, AuthorizedKeys("dave"), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_changed_comment_or_options_rewrite_the_line_in_place()
    {
        await RunAsync(User("erin"), Key("erin", KeyA, "erin@laptop"), Key("erin", KeyB, "erin@desk"));
        // The two keys converge in parallel, so either may have been written first.
        var position = Array.FindIndex(AuthorizedKeys("erin").Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(KeyA, StringComparison.Ordinal));
        Assert.InRange(position, 0, 1);
        var restricted = Key("erin", KeyA, "erin@laptop");
        restricted.SshAuthorizedKey.Options.Add("no-port-forwarding");
        restricted.SshAuthorizedKey.Options.Add("command=\"/usr/bin/backup --quiet\"");

        var report = await RunAsync(User("erin"), restricted, Key("erin", KeyB, "erin@desk"));

        var change = Assert.Single(report["ssh_authorized_key:erin:erin@laptop"].Changes);
        Assert.Equal("line", change.Property);
        var lines = AuthorizedKeys("erin").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"no-port-forwarding,command=\"/usr/bin/backup --quiet\" ssh-ed25519 {KeyA} erin@laptop", lines[position]);
        Assert.Equal(2, lines.Length);
        var again = await RunAsync(User("erin"), restricted, Key("erin", KeyB, "erin@desk"));
        Assert.All(again.Outcomes, o => Assert.Equal(OutcomeStatus.InSync, o.Status));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_absent_key_is_removed_and_the_others_stay()
    {
        await RunAsync(User("frank"), Key("frank", KeyA, "a"), Key("frank", KeyB, "b"));

        var report = await RunAsync(User("frank"), Key("frank", KeyA, "a", ensure: Ensure.Absent), Key("frank", KeyB, "b"));

        Assert.Equal(OutcomeStatus.Changed, report["ssh_authorized_key:frank:a"].Status);
        Assert.Equal($"ssh-ed25519 {KeyB} b\n", AuthorizedKeys("frank"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_symlinked_ssh_directory_is_refused_and_nothing_is_written_through_it()
    {
        await RunAsync(User("gina"));
        var outside = Directory.CreateTempSubdirectory("colabo-outside-").FullName;
        try
        {
            File.CreateSymbolicLink(_root.Resolve("/home/gina/.ssh"), outside);

            var report = await RunAsync(User("gina"), Key("gina", KeyA, "gina@laptop"));

            Assert.Equal(OutcomeStatus.Failed, report["ssh_authorized_key:gina:gina@laptop"].Status);
            Assert.Contains("SymbolicLink", report["ssh_authorized_key:gina:gina@laptop"].Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(outside));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_key_for_a_user_that_does_not_exist_fails_and_says_which_user()
    {
        var report = await RunAsync(Key("nobody-here", KeyA, "x"));

        var outcome = report.Outcomes.Single();
        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Contains("nobody-here", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_whole_public_key_line_in_the_key_field_is_rejected()
    {
        var resource = Key("alice", $"ssh-ed25519 {KeyA} alice@laptop", "x");

        Assert.Contains("base64", Assert.Single(new SshAuthorizedKeyModule().Validate(resource)), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_line_with_quoted_options_is_recognized_by_its_key_and_rewritten_not_duplicated()
    {
        await RunAsync(User("hank"));
        Directory.CreateDirectory(_root.Resolve("/home/hank/.ssh"));
        File.WriteAllText(_root.Resolve("/home/hank/.ssh/authorized_keys"), $"command=\"echo a b\",no-pty ssh-ed25519 {KeyA} old comment\n");

        var report = await RunAsync(User("hank"), Key("hank", KeyA, "hank@laptop"));

        Assert.Equal("line", report["ssh_authorized_key:hank:hank@laptop"].Changes[0].Property);
        Assert.Equal($"ssh-ed25519 {KeyA} hank@laptop\n", AuthorizedKeys("hank"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Removing_the_last_key_removes_the_empty_file_and_the_empty_directory()
    {
        await RunAsync(User("ivan"), Key("ivan", KeyA, "a"));

        await RunAsync(User("ivan"), Key("ivan", KeyA, "a", ensure: Ensure.Absent));

        Assert.False(Directory.Exists(_root.Resolve("/home/ivan/.ssh")));
    }
}
