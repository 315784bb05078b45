using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Packages;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Packages.PackageResources;

namespace Colabo.Config.Modules.Tests.Packages;

/// <summary>Real apt and dpkg in a private Debian minbase root, against the Debian mirror.</summary>
public sealed class PackageModuleTests : IAsyncLifetime
{
    private DebianRoot _root = null!;
    private RecordingCommandRunner _commands = null!;

    public async Task InitializeAsync()
    {
        _root = await DebianRoot.CreateAsync(DebianRoot.MinbaseApt);
        _commands = new RecordingCommandRunner(ProcessCommandRunner.Instance);
    }

    public async Task DisposeAsync() => await _root.DisposeAsync();

    // The image's lists are as fresh as the test setup made them; only the list-age test cares how fresh.
    private static PackageModule Module() => new(new PackageModuleOptions { MaxListAge = TimeSpan.FromDays(3650) });

    private ModuleContext Context(TimeProvider? time = null) => new() { Root = _root.Root, Commands = _commands, Time = time ?? TimeProvider.System };

    private string? InstalledVersion(string name)
    {
        var status = File.ReadAllText(_root.Resolve("/var/lib/dpkg/status"));
        var block = status.Split("\n\n").FirstOrDefault(b => b.StartsWith($"Package: {name}\n", StringComparison.Ordinal));
        if (block is null || !block.Contains("Status: install ok installed", StringComparison.Ordinal))
        {
            return null;
        }

        return block.Split('\n').First(l => l.StartsWith("Version: ", StringComparison.Ordinal))["Version: ".Length..];
    }

    [Fact(Timeout = 120_000)]
    public async Task Missing_packages_cost_one_query_and_one_install_and_the_next_run_only_one_query()
    {
        var resources = new[] { Package("hello"), Package("tree"), Package("dpkg"), Package("sl", Ensure.Absent) };

        var first = await Converge.RunAsync([Module()], Context(), resources);

        Assert.True(first.Outcomes.Select(o => o.Status).SequenceEqual([OutcomeStatus.Changed, OutcomeStatus.Changed, OutcomeStatus.InSync, OutcomeStatus.InSync]), first.Statuses());
        Assert.NotNull(InstalledVersion("hello"));
        Assert.NotNull(InstalledVersion("tree"));
        Assert.Equal(1, _commands.Count("apt-get", "install"));
        Assert.Equal(0, _commands.Count("apt-get", "update"));
        // One query reads all four; one more verifies what the install did.
        Assert.Equal(2, _commands.Count("dpkg-query"));
        var install = _commands.Commands.Single(c => c.Arguments.Contains("install"));
        Assert.Contains("hello", install.Arguments);
        Assert.Contains("tree", install.Arguments);

        _commands.Clear();
        var second = await Converge.RunAsync([Module()], Context(), resources);

        Assert.All(second.Outcomes, o => Assert.Equal(OutcomeStatus.InSync, o.Status));
        Assert.Equal("dpkg-query", Assert.Single(_commands.Commands).FileName);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_absent_package_is_removed_and_reported_changed_once()
    {
        await Converge.RunAsync([Module()], Context(), [Package("tree")]);
        Assert.NotNull(InstalledVersion("tree"));

        var removal = await Converge.RunAsync([Module()], Context(), [Package("tree", Ensure.Absent)]);
        var again = await Converge.RunAsync([Module()], Context(), [Package("tree", Ensure.Absent)]);

        Assert.Equal(OutcomeStatus.Changed, removal.Outcomes.Single().Status);
        Assert.Equal("ensure", removal.Outcomes.Single().Changes.Single().Property);
        Assert.Null(InstalledVersion("tree"));
        Assert.Equal(OutcomeStatus.InSync, again.Outcomes.Single().Status);
    }

    [Fact(Timeout = 120_000)]
    public async Task Removing_a_package_that_others_depend_on_is_refused_unless_they_go_too_in_one_removal()
    {
        await Converge.RunAsync([Module()], Context(), [Package("libmodbus-dev")]);
        Assert.NotNull(InstalledVersion("libmodbus5"));

        var report = await Converge.RunAsync([Module()], Context(), [Package("libmodbus5", Ensure.Absent)]);

        var outcome = report.Outcomes.Single();
        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Contains("libmodbus-dev", outcome.Message, StringComparison.Ordinal);
        Assert.NotNull(InstalledVersion("libmodbus5"));
        Assert.NotNull(InstalledVersion("libmodbus-dev"));

        _commands.Clear();
        var both = await Converge.RunAsync([Module()], Context(), [Package("libmodbus5", Ensure.Absent), Package("libmodbus-dev", Ensure.Absent)]);

        Assert.All(both.Outcomes, o => Assert.Equal(OutcomeStatus.Changed, o.Status));
        Assert.Equal(1, _commands.Count("apt-get", "remove") - _commands.Commands.Count(c => c.Arguments.Contains("--simulate")));
        Assert.Null(InstalledVersion("libmodbus5"));
        Assert.Null(InstalledVersion("libmodbus-dev"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_package_that_cannot_install_fails_alone_and_the_others_of_the_batch_still_install()
    {
        var resources = new[] { Package("hello"), Package("colabo-no-such-package") };

        var report = await Converge.RunAsync([Module()], Context(), resources);

        Assert.Equal(OutcomeStatus.Changed, report["package:hello"].Status);
        Assert.Equal(OutcomeStatus.Failed, report["package:colabo-no-such-package"].Status);
        Assert.Contains("colabo-no-such-package", report["package:colabo-no-such-package"].Message, StringComparison.Ordinal);
        Assert.NotNull(InstalledVersion("hello"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Package_lists_are_refreshed_only_when_older_than_the_configured_age()
    {
        var refreshed = AptProvider.ListsRefreshedAt(Context());
        Assert.NotNull(refreshed);
        var clock = new ManualTimeProvider(refreshed.Value + TimeSpan.FromMinutes(50));
        var module = new PackageModule(new PackageModuleOptions { MaxListAge = TimeSpan.FromHours(1) });

        await Converge.RunAsync([module], Context(clock), [Package("tree")]);
        Assert.Equal(0, _commands.Count("apt-get", "update"));

        clock.Advance(TimeSpan.FromMinutes(20));
        var report = await Converge.RunAsync([module], Context(clock), [Package("hello")]);
        Assert.Equal(OutcomeStatus.Changed, report.Outcomes.Single().Status);
        Assert.Equal(1, _commands.Count("apt-get", "update"));
        Assert.Equal(clock.GetUtcNow(), AptProvider.ListsRefreshedAt(Context()));
    }

    [Fact(Timeout = 120_000)]
    public async Task Noop_reports_the_install_it_would_make_and_runs_no_apt()
    {
        var report = await Converge.RunAsync([Module()], Context(), [Package("hello", version: "2.10-3")], RunMode.Noop);

        var outcome = report.Outcomes.Single();
        Assert.Equal(OutcomeStatus.WouldChange, outcome.Status);
        Assert.Equal(["ensure", "version"], outcome.Changes.Select(c => c.Property));
        Assert.Equal("2.10-3", outcome.Changes[1].After);
        Assert.Equal(0, _commands.Count("apt-get"));
        Assert.Null(InstalledVersion("hello"));
    }
}
