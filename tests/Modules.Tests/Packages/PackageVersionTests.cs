using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Packages;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Packages.PackageResources;

namespace Colabo.Config.Modules.Tests.Packages;

/// <summary>
/// Pinning and latest with libmodbus5 (83 KiB, needs only libc6), which bookworm publishes in two
/// versions at once (main and bookworm-security). The versions are read from the mirror, not hard-coded.
/// </summary>
public sealed class PackageVersionTests : IAsyncLifetime
{
    private const string Modbus = "libmodbus5";
    private DebianRoot _root = null!;
    private ModuleContext _context = null!;

    public async Task InitializeAsync()
    {
        _root = await DebianRoot.CreateAsync(DebianRoot.MinbaseApt);
        _context = new ModuleContext { Root = _root.Root, Commands = ProcessCommandRunner.Instance };
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task Latest_installs_the_candidate_a_pin_downgrades_and_latest_upgrades_again()
    {
        var (oldest, candidate) = await VersionsAsync();
        Assert.True(oldest != candidate, $"the mirror must offer {Modbus} in two versions for this test; it has only {candidate}");
        var module = new PackageModule(new PackageModuleOptions { MaxListAge = TimeSpan.FromDays(3650) });

        var latest = await Converge.RunAsync([module], _context, [Package(Modbus, Ensure.Latest)]);
        Assert.Equal(candidate, await InstalledAsync());
        var pinned = await Converge.RunAsync([module], _context, [Package(Modbus, version: oldest)]);
        Assert.Equal(oldest, await InstalledAsync());
        var pinnedAgain = await Converge.RunAsync([module], _context, [Package(Modbus, version: oldest)]);
        var noopLatest = await Converge.RunAsync([module], _context, [Package(Modbus, Ensure.Latest)], RunMode.Noop);
        var upgraded = await Converge.RunAsync([module], _context, [Package(Modbus, Ensure.Latest)]);

        Assert.Equal(OutcomeStatus.Changed, latest.Outcomes.Single().Status);
        Assert.Equal(OutcomeStatus.Changed, pinned.Outcomes.Single().Status);
        var downgrade = Assert.Single(pinned.Outcomes.Single().Changes);
        Assert.Equal(("version", candidate, oldest), (downgrade.Property, downgrade.Before, downgrade.After));
        Assert.Equal(OutcomeStatus.InSync, pinnedAgain.Outcomes.Single().Status);
        Assert.Equal(OutcomeStatus.WouldChange, noopLatest.Outcomes.Single().Status);
        Assert.Equal(candidate, noopLatest.Outcomes.Single().Changes.Single().After);
        Assert.Equal(OutcomeStatus.Changed, upgraded.Outcomes.Single().Status);
        Assert.Equal(candidate, await InstalledAsync());
    }

    private async Task<string?> InstalledAsync() =>
        (await new AptProvider().QueryInstalledAsync([Modbus], _context, CancellationToken.None)).GetValueOrDefault(Modbus);

    private async Task<(string Oldest, string Candidate)> VersionsAsync()
    {
        var madison = await ProcessCommandRunner.Instance.RunAsync(new Command("chroot").WithArguments(_root.Path, "apt-cache", "madison", Modbus), CancellationToken.None);
        var versions = madison.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')[1].Trim()).Distinct().ToList();
        var policy = await new AptProvider().QueryCandidatesAsync([Modbus], _context, CancellationToken.None);
        // dpkg's own ordering, not string ordering.
        var oldest = versions[0];
        foreach (var version in versions.Skip(1))
        {
            var older = await ProcessCommandRunner.Instance.RunAsync(new Command("dpkg").WithArguments("--compare-versions", version, "lt", oldest), CancellationToken.None);
            if (older.Succeeded)
            {
                oldest = version;
            }
        }

        return (oldest, policy[Modbus]);
    }
}
