using System.Collections.Concurrent;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Accounts;

/// <summary>
/// Runs useradd, usermod, userdel, groupadd, groupmod, groupdel; with <c>--root ROOT</c> on a sandbox
/// root, so the tools edit the sandbox's files with the sandbox's login.defs.
/// </summary>
internal static class ShadowTools
{
    // The tools lock /etc/passwd and give up at once when it is taken; queue per root instead.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> RootLocks = new(StringComparer.Ordinal);

    public static async Task RunAsync(string tool, IReadOnlyList<string> arguments, ModuleContext context, CancellationToken cancellationToken)
    {
        var all = context.Root.IsSystemRoot ? arguments : ["--root", context.Root.Path, .. arguments];
        var command = new Command(tool).WithArguments(all).WithEnvironment("LC_ALL", "C").WithTimeout(TimeSpan.FromMinutes(2));
        var gate = RootLocks.GetOrAdd(context.Root.Path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        CommandResult result;
        try
        {
            result = await context.Commands.RunAsync(command, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{tool} {Display(arguments)} failed with exit code {result.ExitCode}: {result.StandardError.Trim()}");
        }
    }

    // A password hash never reaches a message or a log.
    private static string Display(IReadOnlyList<string> arguments) =>
        string.Join(' ', arguments.Select((a, i) => i > 0 && arguments[i - 1] is "-p" or "--password" ? "<redacted>" : a));
}
