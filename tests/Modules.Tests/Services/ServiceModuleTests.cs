using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;
using Colabo.Config.Modules.Files;
using Colabo.Config.Modules.Services;
using Colabo.Config.TestSupport;
using static Colabo.Config.Modules.Tests.Services.ServiceResources;

namespace Colabo.Config.Modules.Tests.Services;

/// <summary>systemctl against systemd booted as PID 1 in a systemd-nspawn container, entered with nsenter.</summary>
public sealed class ServiceModuleTests(SystemdContainerFixture fixture) : IClassFixture<SystemdContainerFixture>
{
    private readonly NspawnContainer _container = fixture.Container;
    private readonly RecordingCommandRunner _commands = new(ProcessCommandRunner.Instance);

    private Task<RunReport> RunAsync(params Resource[] resources) =>
        Converge.RunAsync(
            [new ServiceModule(ServiceModuleOptions.ForContainer(_container.LeaderPid)), new FileModule()],
            new ModuleContext { Root = _container.Root, Commands = _commands },
            resources);

    private async Task<string> MainCommandLineAsync(string unit)
    {
        var pid = await _container.SystemctlAsync("show", "--property=MainPID", "--value", unit);
        var (_, cmdline, _) = await _container.ExecAsync(["cat", $"/proc/{pid}/cmdline"]);
        return cmdline.Replace('\0', ' ').Trim();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_unit_written_in_the_same_run_is_started_and_enabled_then_stopped_and_disabled()
    {
        var first = await RunAsync(UnitFile("colabo-web", "/bin/sleep 3001", "service:colabo-web"), Service("colabo-web", enabled: true, requires: "file:/etc/systemd/system/colabo-web.service"));

        Assert.False(first.HasFailures, first.Statuses());
        Assert.Equal(OutcomeStatus.Changed, first["service:colabo-web"].Status);
        Assert.Equal("active", await _container.SystemctlAsync("is-active", "colabo-web.service"));
        Assert.Equal("enabled", await _container.SystemctlAsync("is-enabled", "colabo-web.service"));

        var second = await RunAsync(UnitFile("colabo-web", "/bin/sleep 3001", "service:colabo-web"), Service("colabo-web", enabled: true, requires: "file:/etc/systemd/system/colabo-web.service"));
        Assert.All(second.Outcomes, o => Assert.Equal(OutcomeStatus.InSync, o.Status));

        var stopped = await RunAsync(Service("colabo-web", Ensure.Stopped, enabled: false));

        var changes = stopped.Outcomes.Single().Changes.Select(c => (c.Property, c.Before, c.After));
        Assert.Equal([("ensure", "running", "stopped"), ("enabled", "enabled", "disabled")], changes);
        Assert.Equal("inactive", await _container.SystemctlAsync("is-active", "colabo-web.service"));
        Assert.Equal("disabled", await _container.SystemctlAsync("is-enabled", "colabo-web.service"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_notified_service_reloads_its_edited_unit_and_restarts_once()
    {
        await RunAsync(UnitFile("colabo-api", "/bin/sleep 4001", "service:colabo-api"), Service("colabo-api", requires: "file:/etc/systemd/system/colabo-api.service"));
        Assert.Equal("/bin/sleep 4001", await MainCommandLineAsync("colabo-api.service"));
        _commands.Clear();

        var report = await RunAsync(UnitFile("colabo-api", "/bin/sleep 4002", "service:colabo-api"), Service("colabo-api", requires: "file:/etc/systemd/system/colabo-api.service"));

        var service = report["service:colabo-api"];
        Assert.Equal(OutcomeStatus.Changed, service.Status);
        Assert.True(service.Refreshed);
        Assert.Contains("restarted", service.Message, StringComparison.Ordinal);
        Assert.Equal(1, _commands.Count("systemctl", "daemon-reload"));
        Assert.Equal(1, _commands.Count("systemctl", "restart"));
        Assert.Equal("/bin/sleep 4002", await MainCommandLineAsync("colabo-api.service"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_unit_file_edited_behind_the_agent_s_back_is_reloaded_but_not_restarted_without_a_notify()
    {
        await RunAsync(UnitFile("colabo-worker", "/bin/sleep 5001"), Service("colabo-worker", requires: "file:/etc/systemd/system/colabo-worker.service"));
        var pidBefore = await _container.SystemctlAsync("show", "--property=MainPID", "--value", "colabo-worker.service");
        await File.WriteAllTextAsync(_container.Root.Resolve("/etc/systemd/system/colabo-worker.service"), UnitText("/bin/sleep 5002"));

        var report = await RunAsync(Service("colabo-worker"));

        var change = Assert.Single(report.Outcomes.Single().Changes);
        Assert.Equal(("unit_file", "changed on disk", "reloaded"), (change.Property, change.Before, change.After));
        Assert.Equal("no", await _container.SystemctlAsync("show", "--property=NeedDaemonReload", "--value", "colabo-worker.service"));
        Assert.Equal(pidBefore, await _container.SystemctlAsync("show", "--property=MainPID", "--value", "colabo-worker.service"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Noop_reports_the_start_it_would_make_and_runs_nothing_but_reads()
    {
        await RunAsync(UnitFile("colabo-idle", "/bin/sleep 6001"));
        _commands.Clear();

        var catalog = new Catalog();
        catalog.Resources.Add(Service("colabo-idle", enabled: true));
        var report = await new ConvergenceEngine(
            new ModuleRegistry([new ServiceModule(ServiceModuleOptions.ForContainer(_container.LeaderPid))]),
            new ModuleContext { Root = _container.Root, Commands = _commands }).RunAsync(catalog, new RunOptions { Mode = RunMode.Noop }, CancellationToken.None);

        Assert.Equal(OutcomeStatus.WouldChange, report.Outcomes.Single().Status);
        Assert.All(_commands.Commands, c => Assert.Contains("show", c.Arguments));
        Assert.Equal("inactive", await _container.SystemctlAsync("is-active", "colabo-idle.service"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_service_without_a_unit_fails_with_a_message_that_names_the_unit()
    {
        var report = await RunAsync(Service("colabo-missing"));

        var outcome = report.Outcomes.Single();
        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Contains("colabo-missing.service", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_sandbox_root_without_a_way_into_its_systemd_is_refused_with_advice()
    {
        var root = Directory.CreateTempSubdirectory("colabo-services-").FullName;
        try
        {
            var report = await Converge.RunAsync([new ServiceModule()], new ModuleContext { Root = new TargetRoot(root), Commands = _commands }, [Service("nginx")]);

            var outcome = report.Outcomes.Single();
            Assert.Equal(OutcomeStatus.Failed, outcome.Status);
            Assert.Contains("nsenter", outcome.Message, StringComparison.Ordinal);
            Assert.Empty(_commands.Commands);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
