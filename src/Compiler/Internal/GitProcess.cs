using System.Diagnostics;
using System.Text;

namespace Colabo.Config.Compiler.Internal;

/// <summary>Runs the git CLI with binary-safe output capture.</summary>
internal static class GitProcess
{
    internal sealed record Result(int ExitCode, byte[] Output, string ErrorText);

    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken, byte[]? standardInput = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A role repo may belong to another user (a deploy checkout); reading it is still safe.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("safe.directory=*");
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start git");
        using var kill = cancellationToken.Register(() =>
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        });
        var output = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var readErr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput, cancellationToken);
        }
        process.StandardInput.Close();
        await copyOut;
        var error = await readErr;
        await process.WaitForExitAsync(cancellationToken);
        return new Result(process.ExitCode, output.ToArray(), error);
    }

    public static string Text(this Result result) => Encoding.UTF8.GetString(result.Output);
}
