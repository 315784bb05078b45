using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Modules.Files;
using Colabo.Config.Modules.Tests.Support;

namespace Colabo.Config.Modules.Tests.Files;

public sealed class LineModuleTests : IDisposable
{
    private const string Config = "# sshd\nPort 22\nPermitRootLogin yes\nInclude /etc/ssh/conf.d/*\n";
    private readonly TemporaryRoot _root = new();

    public LineModuleTests()
    {
        Directory.CreateDirectory(_root.Real("/etc"));
        File.WriteAllText(_root.Real("/etc/sshd_config"), Config);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_line_matching_the_regex_is_replaced_in_place()
    {
        var report = await Converge.RunAsync(_root.Root, Samples.Line("root", "/etc/sshd_config", "PermitRootLogin no", match: "^PermitRootLogin "));

        var change = Assert.Single(report["line:root"].Changes);
        Assert.Equal(("PermitRootLogin yes", "PermitRootLogin no"), (change.Before, change.After));
        Assert.Equal("# sshd\nPort 22\nPermitRootLogin no\nInclude /etc/ssh/conf.d/*\n", Text());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_new_line_goes_after_the_last_match_of_after_or_before_the_first_match_of_before()
    {
        await Converge.RunAsync(
            _root.Root,
            Samples.Line("banner", "/etc/sshd_config", "Banner /etc/issue", after: "^Port "),
            Samples.Line("ciphers", "/etc/sshd_config", "Ciphers aes256-gcm@openssh.com", before: "^Include "));

        Assert.Equal("# sshd\nPort 22\nBanner /etc/issue\nPermitRootLogin yes\nCiphers aes256-gcm@openssh.com\nInclude /etc/ssh/conf.d/*\n", Text());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_line_is_appended_when_nothing_matches_and_the_file_keeps_its_owner_and_mode()
    {
        HostFileSystem.Instance.SetOwner(_root.Real("/etc/sshd_config"), 7, 9);
        HostFileSystem.Instance.SetMode(_root.Real("/etc/sshd_config"), FileModes.Parse("0600"));

        await Converge.RunAsync(_root.Root, Samples.Line("x11", "/etc/sshd_config", "X11Forwarding no", after: "^NoSuchThing"));

        Assert.Equal(Config + "X11Forwarding no\n", Text());
        var status = HostFileSystem.Instance.GetStatus(_root.Real("/etc/sshd_config"))!;
        Assert.Equal((7, 9, "0600"), (status.Uid, status.Gid, status.OctalMode));
    }

    [Fact(Timeout = 30_000)]
    public async Task Absent_removes_every_line_matching_the_regex()
    {
        File.AppendAllText(_root.Real("/etc/sshd_config"), "PermitRootLogin prohibit-password\n");
        var absent = Samples.Line("root", "/etc/sshd_config", string.Empty, match: "^PermitRootLogin").Absent();

        var report = await Converge.RunAsync(_root.Root, absent);

        Assert.Equal("PermitRootLogin yes\nPermitRootLogin prohibit-password", Assert.Single(report["line:root"].Changes).Before);
        Assert.Equal("# sshd\nPort 22\nInclude /etc/ssh/conf.d/*\n", Text());
    }

    [Fact]
    public void An_invalid_regex_is_rejected_with_its_name()
    {
        var errors = new LineModule().Validate(Samples.Line("bad", "/etc/x", "a", match: "(unclosed"));

        Assert.Contains(errors, e => e.StartsWith("match '(unclosed' is not a valid regular expression", StringComparison.Ordinal));
    }

    public void Dispose() => _root.Dispose();

    private string Text() => File.ReadAllText(_root.Real("/etc/sshd_config"));
}
