using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Modules.Tests.Support;

namespace Colabo.Config.Modules.Tests.Exec;

public sealed class ExecModuleTests : IDisposable
{
    private readonly TemporaryRoot _root = new();

    private string Marker => _root.Real("/ran");

    [Fact(Timeout = 30_000)]
    public async Task In_noop_the_command_never_runs_and_the_report_says_it_would_have()
    {
        var report = await Converge.RunAsync(_root.Root, RunMode.Noop, Samples.Exec("touch", $"touch {Marker}"));

        Assert.False(File.Exists(Marker));
        var outcome = report["exec:touch"];
        Assert.Equal(OutcomeStatus.WouldChange, outcome.Status);
        var change = Assert.Single(outcome.Changes);
        Assert.Equal(("command", "not run", $"touch {Marker}"), (change.Property, change.Before, change.After));
    }

    [Fact(Timeout = 30_000)]
    public async Task Creates_unless_and_onlyif_each_keep_the_command_from_running()
    {
        File.WriteAllText(_root.Real("/exists"), "x");

        var report = await Converge.RunAsync(
            _root.Root,
            Samples.Exec("creates", $"echo creates >> {Marker}", creates: "/exists"),
            Samples.Exec("unless", $"echo unless >> {Marker}", unless: "true"),
            Samples.Exec("onlyif", $"echo onlyif >> {Marker}", onlyif: "false"),
            Samples.Exec("runs", $"echo runs >> {Marker}", onlyif: "true", unless: "false"));

        Assert.Equal("runs\n", File.ReadAllText(Marker));
        Assert.Equal(OutcomeStatus.Changed, report["exec:runs"].Status);
        Assert.Equal(3, report.Summary.InSync);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failing_command_reports_its_exit_code_and_error_output()
    {
        var report = await Converge.RunAsync(_root.Root, Samples.Exec("fail", "echo 'no space left' >&2; exit 28"));

        Assert.Equal(OutcomeStatus.Failed, report["exec:fail"].Status);
        Assert.Equal("applying failed: 'echo 'no space left' >&2; exit 28' exited with 28: no space left", report["exec:fail"].Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exit_codes_listed_in_returns_count_as_success()
    {
        var exec = Samples.Exec("grep", "exit 1");
        exec.Exec.Returns.AddRange([0, 1]);

        var report = await Converge.RunAsync(_root.Root, exec);

        Assert.Equal(OutcomeStatus.Changed, report["exec:grep"].Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_refresh_only_command_runs_only_when_a_resource_notifying_it_changed()
    {
        var reload = Samples.Exec("reload", $"echo reloaded >> {Marker}", refreshOnly: true);
        var config = Samples.File("/app.conf", "v1\n");
        config.Notify.Add("exec:reload");

        var first = await Converge.RunAsync(_root.Root, config, reload);
        var second = await Converge.RunAsync(_root.Root, config, reload);

        Assert.Equal("reloaded\n", File.ReadAllText(Marker));
        Assert.True(first["exec:reload"].Refreshed);
        Assert.Equal(OutcomeStatus.InSync, second["exec:reload"].Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Environment_and_working_directory_reach_the_command()
    {
        Directory.CreateDirectory(_root.Real("/work"));
        var exec = Samples.Exec("env", "echo \"$GREETING\" > out", creates: "/work/out");
        exec.Exec.Environment["GREETING"] = "hello";
        exec.Exec.Cwd = "/work";

        await Converge.RunAsync(_root.Root, exec);

        Assert.Equal("hello\n", File.ReadAllText(_root.Real("/work/out")));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_command_past_its_timeout_is_killed_and_fails()
    {
        var exec = Samples.Exec("hang", "sleep 300");
        exec.TimeoutSeconds = 1;

        var report = await Converge.RunAsync(_root.Root, exec);

        Assert.Equal(OutcomeStatus.Failed, report["exec:hang"].Status);
        Assert.Equal("timed out after 1 s while applying", report["exec:hang"].Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task In_a_root_with_a_shell_the_command_runs_inside_it_with_chroot()
    {
        // A minimal root: the host's dash as /bin/sh with the libraries ldd names, and one file to read.
        await CopyShellIntoRootAsync();
        Directory.CreateDirectory(_root.Real("/etc"));
        File.WriteAllText(_root.Real("/etc/debian_version"), "inside-the-root\n");

        var report = await Converge.RunAsync(_root.Root, Samples.Exec("release", "read v < /etc/debian_version; echo \"$v\" > /release", creates: "/release"));

        Assert.Equal(OutcomeStatus.Changed, report["exec:release"].Status);
        Assert.Equal("inside-the-root\n", File.ReadAllText(_root.Real("/release")));
        Assert.False(File.Exists("/release"), "the command ran on the host instead of inside the root");
    }

    public void Dispose() => _root.Dispose();

    private async Task CopyShellIntoRootAsync()
    {
        var shell = File.ResolveLinkTarget("/bin/sh", returnFinalTarget: true)?.FullName ?? "/bin/sh";
        var ldd = await ProcessCommandRunner.Instance.RunAsync(new Command("ldd").WithArguments(shell), CancellationToken.None);
        var libraries = ldd.StandardOutput.Split('\n')
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(word => word.StartsWith('/'));
        foreach (var library in libraries)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_root.Real(library))!);
            File.Copy(library, _root.Real(library), overwrite: true);
        }

        Directory.CreateDirectory(_root.Real("/bin"));
        File.Copy(shell, _root.Real("/bin/sh"));
    }
}
