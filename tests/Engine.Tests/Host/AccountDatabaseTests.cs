using Colabo.Config.Engine.Host;

namespace Colabo.Config.Engine.Tests.Host;

public sealed class AccountDatabaseTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("colabo-accounts-").FullName;

    [Fact]
    public void Names_come_from_the_target_roots_own_passwd_and_group_and_follow_changes()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc/passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1500:1500::/home/alice:/bin/sh\n");
        File.WriteAllText(Path.Combine(_root, "etc/group"), "root:x:0:\nstaff:x:50:\n");
        var accounts = new AccountDatabase(new TargetRoot(_root));

        Assert.Equal(1500, accounts.FindUserId("alice"));
        Assert.Equal("alice", accounts.UserName(1500));
        Assert.Equal(50, accounts.FindGroupId("staff"));
        Assert.Null(accounts.FindUserId("bob"));
        Assert.Equal(77, accounts.FindUserId("77"));
        Assert.Equal("1234", accounts.UserName(1234));

        File.AppendAllText(Path.Combine(_root, "etc/passwd"), "bob:x:1501:1501::/home/bob:/bin/sh\n");
        Assert.Equal(1501, accounts.FindUserId("bob"));
    }

    [Fact]
    public void A_root_without_account_files_still_knows_root()
    {
        var accounts = new AccountDatabase(new TargetRoot(_root));

        Assert.Equal(0, accounts.FindUserId("root"));
        Assert.Equal("root", accounts.GroupName(0));
        Assert.Null(accounts.FindUserId("alice"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
