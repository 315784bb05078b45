extern alias cli;

using System.CommandLine;

namespace Colabo.Config.Master.Tests.Support;

/// <summary>Runs a `colabo` admin command in-process against a test master, with its data dir's admin credential.</summary>
public static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TestMaster master, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(master);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await cli::Program.BuildRootCommand().Parse(["--data-dir", master.Host.Paths.DataDir, .. args])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
