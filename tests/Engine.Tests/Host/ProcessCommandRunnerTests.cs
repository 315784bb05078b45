using Colabo.Config.Engine.Host;

namespace Colabo.Config.Engine.Tests.Host;

public sealed class ProcessCommandRunnerTests
{
    private static readonly ProcessCommandRunner Runner = ProcessCommandRunner.Instance;

    [Fact(Timeout = 30_000)]
    public async Task A_command_returns_its_exit_code_and_both_outputs()
    {
        var result = await Runner.RunAsync(new Command("/bin/sh").WithArguments("-c", "echo out; echo err >&2; exit 3"), CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [Fact(Timeout = 30_000)]
    public async Task Standard_input_environment_and_working_directory_reach_the_process()
    {
        var command = new Command("/bin/sh")
            .WithArguments("-c", "read line; echo \"$line $GREETING $(pwd)\"")
            .WithStandardInput("hello\n")
            .WithEnvironment("GREETING", "world")
            .WithWorkingDirectory("/tmp");

        var result = await Runner.RunAsync(command, CancellationToken.None);

        Assert.Equal("hello world /tmp\n", result.StandardOutput);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_timeout_kills_the_whole_process_tree()
    {
        var pidFile = Path.GetTempFileName();
        var command = new Command("/bin/sh")
            .WithArguments("-c", $"sleep 300 & echo $! > {pidFile}; wait")
            .WithTimeout(TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Runner.RunAsync(command, CancellationToken.None));

        Assert.Contains("did not finish within 0.5 s and was killed", error.Message, StringComparison.Ordinal);
        var grandchild = File.ReadAllText(pidFile).Trim();
        Assert.True(IsGoneOrZombie(grandchild), $"the background sleep {grandchild} survived the timeout");
        File.Delete(pidFile);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_kills_the_process_and_surfaces_as_cancellation()
    {
        using var cancel = new CancellationTokenSource();
        var running = Runner.RunAsync(new Command("/bin/sh").WithArguments("-c", "echo started; exec sleep 300"), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_program_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner.RunAsync(new Command("/nonexistent/tool"), CancellationToken.None));

        Assert.StartsWith("cannot start '/nonexistent/tool'", error.Message, StringComparison.Ordinal);
    }

    private static bool IsGoneOrZombie(string pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return true;
        }

        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
