namespace Colabo.Config.Compiler.Tests.Cli;

/// <summary>Runs the real `colabo` command tree in-process with captured output.</summary>
internal static class CliRunner
{
    public sealed record Run(int ExitCode, string Output, string Error);

    public static async Task<Run> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.RunAsync(args, output, error);
        return new Run(exit, output.ToString(), error.ToString());
    }
}
