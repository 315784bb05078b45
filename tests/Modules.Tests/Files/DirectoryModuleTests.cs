using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Modules.Tests.Support;

namespace Colabo.Config.Modules.Tests.Files;

public sealed class DirectoryModuleTests : IDisposable
{
    private readonly TemporaryRoot _root = new();

    [Fact(Timeout = 30_000)]
    public async Task Purge_removes_every_entry_no_resource_manages()
    {
        Directory.CreateDirectory(_root.Real("/conf.d/stray-dir"));
        File.WriteAllText(_root.Real("/conf.d/managed.conf"), "x");
        File.WriteAllText(_root.Real("/conf.d/stray.conf"), "x");

        var report = await Converge.RunAsync(_root.Root, Samples.Directory("/conf.d", purge: true, managed: ["managed.conf"]));

        var change = Assert.Single(report["directory:/conf.d"].Changes);
        Assert.Equal(("unmanaged_entries", "stray-dir, stray.conf"), (change.Property, change.Before));
        Assert.Equal(["managed.conf"], Directory.EnumerateFileSystemEntries(_root.Real("/conf.d")).Select(Path.GetFileName));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_absent_directory_is_removed_with_its_contents()
    {
        Directory.CreateDirectory(_root.Real("/old/deep"));
        File.WriteAllText(_root.Real("/old/deep/file"), "x");

        var report = await Converge.RunAsync(_root.Root, Samples.Directory("/old").Absent());

        Assert.Equal(OutcomeStatus.Changed, report["directory:/old"].Status);
        Assert.False(Directory.Exists(_root.Real("/old")));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_directory_whose_parent_is_missing_fails_and_says_to_declare_the_parent()
    {
        var report = await Converge.RunAsync(_root.Root, Samples.Directory("/a/b"));

        Assert.Equal(OutcomeStatus.Failed, report["directory:/a/b"].Status);
        Assert.Contains("the parent directory '/a' does not exist; declare it as a directory resource", report["directory:/a/b"].Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Mode_drift_on_a_directory_is_repaired()
    {
        Directory.CreateDirectory(_root.Real("/srv"));
        HostFileSystem.Instance.SetMode(_root.Real("/srv"), FileModes.Parse("0777"));

        var report = await Converge.RunAsync(_root.Root, Samples.Directory("/srv", mode: "0750"));

        Assert.Equal("0777", Assert.Single(report["directory:/srv"].Changes).Before);
        Assert.Equal("0750", HostFileSystem.Instance.GetStatus(_root.Real("/srv"))!.OctalMode);
    }

    public void Dispose() => _root.Dispose();
}
