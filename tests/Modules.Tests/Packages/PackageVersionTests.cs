using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Packages;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Packages.PackageResources;

namespace Colabo.Config.Modules.Tests.Packages;

/// <summary>
/// Pinning and latest with tzdata, which bookworm publishes in several versions at once (main,
/// bookworm-updates, bookworm-security). The versions are read from the mirror, not hard-coded.
/// </summary>
public sealed class PackageVersionTests : IAsyncLifetime
{
    private DebianRoot _root = null!;
    private ModuleContext _context = null!;

    public async Task InitializeAsync()
    {
        _root = await DebianRoot.CreateAsync(DebianRoot.MinbaseApt);
        _context = new ModuleContext { Root = _root.Root, Commands = ProcessCommandRunner.Instance };
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task A_pinned_older_version_is_installed_and_latest_upgrades_it_to_the_candidate()
    {
        var (oldest, candidate) = await TzdataVersionsAsync();
        Assert.True(oldest != candidate, $"the mirror must offer tzdata in two versions for this test; it has only {candidate}");
        var module = new PackageModule(new PackageModuleOptions { MaxListAge = TimeSpan.FromDays(3650) });

        var pinned = await Converge.RunAsync([module], _context, [Package("tzdata", version: oldest)]);
        var pinnedAgain = await Converge.RunAsync([module], _context, [Package("tzdata", version: oldest)]);
        var noopLatest = await Converge.RunAsync([module], _context, [Package("tzdata", Ensure.Latest)], RunMode.Noop);
        var latest = await Converge.RunAsync([module], _context, [Package("tzdata", Ensure.Latest)]);
        var latestAgain = await Converge.RunAsync([module], _context, [Package("tzdata", Ensure.Latest)]);

        Assert.Equal(OutcomeStatus.Changed, pinned.Outcomes.Single().Status);
        Assert.Equal(oldest, pinned.Outcomes.Single().Changes.Single(c => c.Property == "version").After);
        Assert.Equal(OutcomeStatus.InSync, pinnedAgain.Outcomes.Single().Status);
        Assert.Equal(OutcomeStatus.WouldChange, noopLatest.Outcomes.Single().Status);
        Assert.Equal(candidate, noopLatest.Outcomes.Single().Changes.Single().After);
        Assert.Equal(OutcomeStatus.Changed, latest.Outcomes.Single().Status);
        Assert.Equal(OutcomeStatus.InSync, latestAgain.Outcomes.Single().Status);
        var installed = await new AptProvider().QueryInstalledAsync(["tzdata"], _context, CancellationToken.None);
        Assert.Equal(candidate, installed["tzdata"]);
    }

    private async Task<(string Oldest, string Candidate)> TzdataVersionsAsync()
    {
        var madison = await ProcessCommandRunner.Instance.RunAsync(new Command("chroot").WithArguments(_root.Path, "apt-cache", "madison", "tzdata"), CancellationToken.None);
        var versions = madison.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')[1].Trim()).Distinct().ToList();
        var policy = await new AptProvider().QueryCandidatesAsync(["tzdata"], _context, CancellationToken.None);
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

        return (oldest, policy["tzdata"]);
    }
}
