using Colabo.Config.Engine.Host;

namespace Colabo.Config.Engine.Tests.Host;

public sealed class HostFileSystemTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("colabo-fs-").FullName;
    private readonly HostFileSystem _files = HostFileSystem.Instance;

    [Fact]
    public void An_atomic_write_replaces_the_file_with_the_given_owner_and_mode_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_directory, "motd");
        File.WriteAllText(path, "old");

        _files.WriteFileAtomically(path, "new"u8, 1, 4, FileModes.Parse("0640"));

        Assert.Equal("new", File.ReadAllText(path));
        var status = _files.GetStatus(path)!;
        Assert.Equal((FileKind.File, 1, 4, "0640"), (status.Kind, status.Uid, status.Gid, status.OctalMode));
        Assert.Equal(["motd"], _files.ListDirectory(_directory));
    }

    [Fact]
    public void Setuid_survives_because_the_mode_is_set_after_the_owner()
    {
        var path = Path.Combine(_directory, "tool");

        _files.WriteFileAtomically(path, "#!/bin/sh\n"u8, 1, 1, FileModes.Parse("4755"));

        Assert.Equal("4755", _files.GetStatus(path)!.OctalMode);
    }

    [Fact]
    public void Status_does_not_follow_links_and_is_null_for_missing_paths()
    {
        var link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, "/etc/hostname");

        Assert.Equal(FileKind.SymbolicLink, _files.GetStatus(link)!.Kind);
        Assert.Null(_files.GetStatus(Path.Combine(_directory, "missing")));
        Assert.Null(_files.GetStatus(Path.Combine(_directory, "missing", "deeper")));
    }

    [Fact]
    public void Creating_a_directory_needs_its_parent()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => _files.CreateDirectory(Path.Combine(_directory, "a", "b"), 0, 0, FileModes.Parse("0755")));

        Assert.Contains("the parent directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Octal_modes_parse_and_format_both_ways()
    {
        Assert.True(FileModes.TryParse("644", out var mode));
        Assert.Equal("0644", FileModes.Format(mode));
        Assert.Equal("2755", FileModes.Format(FileModes.Parse("2755")));
        Assert.False(FileModes.TryParse("0844", out _));
        Assert.False(FileModes.TryParse("rw-r--r--", out _));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
