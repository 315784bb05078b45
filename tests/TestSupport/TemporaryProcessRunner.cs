using System.Diagnostics;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.TestSupport;

/// <summary>A stand-in for the engine's real ICommandRunner until it lands; to be deleted then.</summary>
public sealed class TemporaryProcessRunner : ICommandRunner
{
    public static TemporaryProcessRunner Instance { get; } = new();

    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? "/",
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(command.StandardInput ?? "");
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (command.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CommandResult(process.ExitCode, await output, await error, stopwatch.Elapsed);
    }
}
