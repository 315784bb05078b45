using Colabo.Config.Agent.Daemon.Facts;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class FactsGathererTests
{
    [Fact]
    public void A_sandbox_root_reports_its_own_os_release_and_no_init_even_when_it_ships_systemd_files()
    {
        var root = Directory.CreateTempSubdirectory("colabo-facts-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            Directory.CreateDirectory(Path.Combine(root, "run/systemd/system"));
            File.WriteAllText(Path.Combine(root, "etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n");

            var facts = FactsGatherer.Gather(new TargetRoot(root));

            Assert.Equal("debian", facts.Os);
            Assert.Equal("Debian", facts.OsFamily);
            Assert.Equal("bookworm", facts.OsCodename);
            Assert.Equal("none", facts.Extra["init"]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
