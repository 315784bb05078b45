using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Modules.Files;
using Colabo.Config.Modules.Tests.Support;

namespace Colabo.Config.Modules.Tests.Files;

public sealed class FileModuleTests : IDisposable
{
    private readonly TemporaryRoot _root = new();

    public FileModuleTests()
    {
        Directory.CreateDirectory(_root.Real("/etc"));
        File.WriteAllText(_root.Real("/etc/passwd"), "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n");
        File.WriteAllText(_root.Real("/etc/group"), "root:x:0:\nwww:x:33:\nadm:x:4:\n");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_file_gets_its_content_owner_group_and_mode_from_the_roots_own_accounts()
    {
        var report = await Converge.RunAsync(_root.Root, Samples.File("/etc/app.conf", "key = value\n", mode: "0640", owner: "www", group: "adm"));

        Assert.Equal(OutcomeStatus.Changed, report["file:/etc/app.conf"].Status);
        Assert.Equal("key = value\n", File.ReadAllText(_root.Real("/etc/app.conf")));
        var status = HostFileSystem.Instance.GetStatus(_root.Real("/etc/app.conf"))!;
        Assert.Equal((33, 4, "0640"), (status.Uid, status.Gid, status.OctalMode));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_drifted_mode_is_repaired_in_place_and_reported_as_the_only_change()
    {
        var resource = Samples.File("/etc/app.conf", "x\n", mode: "0600");
        await Converge.RunAsync(_root.Root, resource);
        var inode = Inode("/etc/app.conf");
        HostFileSystem.Instance.SetMode(_root.Real("/etc/app.conf"), FileModes.Parse("0666"));

        var report = await Converge.RunAsync(_root.Root, resource);

        var change = Assert.Single(report["file:/etc/app.conf"].Changes);
        Assert.Equal(("mode", "0666", "0600"), (change.Property, change.Before, change.After));
        Assert.Equal(inode, Inode("/etc/app.conf"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Changed_content_is_reported_as_digests_not_as_the_text()
    {
        File.WriteAllText(_root.Real("/etc/app.conf"), "old\n");

        var report = await Converge.RunAsync(_root.Root, Samples.File("/etc/app.conf", "new\n"));

        var change = Assert.Single(report["file:/etc/app.conf"].Changes);
        Assert.Equal("content", change.Property);
        Assert.Equal(FileModule.Digest("old\n"u8), change.Before);
        Assert.Equal(FileModule.Digest("new\n"u8), change.After);
    }

    [Fact(Timeout = 30_000)]
    public async Task Replace_false_creates_a_missing_file_but_leaves_existing_content_alone()
    {
        var seed = Samples.File("/etc/seed", "initial\n");
        seed.File.Replace = false;
        await Converge.RunAsync(_root.Root, seed);
        File.WriteAllText(_root.Real("/etc/seed"), "edited by hand\n");

        var report = await Converge.RunAsync(_root.Root, seed);

        Assert.Equal(OutcomeStatus.InSync, report["file:/etc/seed"].Status);
        Assert.Equal("edited by hand\n", File.ReadAllText(_root.Real("/etc/seed")));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_symbolic_link_is_replaced_by_the_file_and_its_target_is_left_alone()
    {
        File.WriteAllText(_root.Real("/etc/target"), "keep me\n");
        File.CreateSymbolicLink(_root.Real("/etc/link"), _root.Real("/etc/target"));

        var report = await Converge.RunAsync(_root.Root, Samples.File("/etc/link", "own content\n"));

        Assert.Equal("ensure", report["file:/etc/link"].Changes[0].Property);
        Assert.Equal(FileKind.File, HostFileSystem.Instance.GetStatus(_root.Real("/etc/link"))!.Kind);
        Assert.Equal("keep me\n", File.ReadAllText(_root.Real("/etc/target")));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_file_resource_refuses_to_replace_a_directory()
    {
        Directory.CreateDirectory(_root.Real("/etc/conf.d"));

        var report = await Converge.RunAsync(_root.Root, Samples.File("/etc/conf.d", "x"));

        Assert.Equal(OutcomeStatus.Failed, report["file:/etc/conf.d"].Status);
        Assert.Contains("'/etc/conf.d' is a directory", report["file:/etc/conf.d"].Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(_root.Real("/etc/conf.d")));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unknown_owner_fails_and_names_the_account_file_it_looked_in()
    {
        var report = await Converge.RunAsync(_root.Root, Samples.File("/etc/app.conf", "x", owner: "nobody-here"));

        Assert.Equal(OutcomeStatus.Failed, report["file:/etc/app.conf"].Status);
        Assert.Contains($"user 'nobody-here' does not exist in {_root.Real("/etc/passwd")}", report["file:/etc/app.conf"].Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_root.Real("/etc/app.conf")));
    }

    [Theory]
    [InlineData("etc/motd", "0644", "path 'etc/motd' must be absolute")]
    [InlineData("/etc/../motd", "0644", "must be normalized")]
    [InlineData("/etc/motd", "rw-r--r--", "mode 'rw-r--r--' is not an octal mode like 0644")]
    public void Invalid_files_are_rejected_before_anything_runs(string path, string mode, string message)
    {
        var errors = new FileModule().Validate(Samples.File(path, "x", mode: mode));

        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_absent_file_is_removed()
    {
        File.WriteAllText(_root.Real("/etc/old"), "x");

        var report = await Converge.RunAsync(_root.Root, Samples.File("/etc/old").Absent());

        Assert.Equal(OutcomeStatus.Changed, report["file:/etc/old"].Status);
        Assert.False(File.Exists(_root.Real("/etc/old")));
    }

    public void Dispose() => _root.Dispose();

    /// <summary>The inode number (stat -c %i): unchanged means the file was fixed in place, not rewritten.</summary>
    private string Inode(string hostPath)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", _root.Real(hostPath)]) { RedirectStandardOutput = true })!;
        return stat.StandardOutput.ReadToEnd().Trim();
    }
}
