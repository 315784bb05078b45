using System.Collections.Concurrent;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.TestSupport;

/// <summary>Decorates a real runner and records every command it was asked to run, in order.</summary>
public sealed class RecordingCommandRunner(ICommandRunner inner) : ICommandRunner
{
    private readonly ConcurrentQueue<Command> _commands = new();

    public IReadOnlyList<Command> Commands => [.. _commands];

    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        _commands.Enqueue(command);
        return await inner.RunAsync(command, cancellationToken);
    }

    /// <summary>How many recorded commands ran <paramref name="tool"/> (directly, under chroot, or under nsenter) with <paramref name="firstArgument"/> when given.</summary>
    public int Count(string tool, string? firstArgument = null) => Commands.Count(c => Runs(c, tool, firstArgument));

    public void Clear() => _commands.Clear();

    private static bool Runs(Command command, string tool, string? firstArgument)
    {
        var words = new List<string> { command.FileName };
        words.AddRange(command.Arguments);
        var index = words.IndexOf(tool);
        if (index < 0)
        {
            return false;
        }

        if (firstArgument is null)
        {
            return true;
        }

        // The first word after the tool that is not an option.
        return words.Skip(index + 1).FirstOrDefault(w => !w.StartsWith('-')) == firstArgument;
    }
}
