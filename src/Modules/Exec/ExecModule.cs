using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Exec;

/// <summary>
/// <c>exec</c>: a shell command guarded by <c>creates</c> (skip when the path exists), <c>unless</c>
/// (skip when it exits 0) and <c>onlyif</c> (run only when it exits 0); <c>refresh_only</c> runs it only
/// when notified. The guards run while reading, the command only when applying, so in noop the
/// command never runs and the report says it would have.
/// </summary>
/// <remarks>
/// On "/" commands run with /bin/sh. On another root that holds /bin/sh they run inside it with
/// chroot; on a root without a shell they run with the host's /bin/sh in the root directory, with
/// COLABO_TARGET_ROOT set to the root.
/// </remarks>
public sealed class ExecModule : IResourceModule<ExecModule.State>, IActionModule, IRefreshable
{
    public string Kind => "exec";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Exec)
        {
            return [$"'{desired.Id}' has no exec spec"];
        }

        var spec = desired.Exec;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(spec.Command))
        {
            errors.Add("command is required");
        }

        if (desired.Ensure is not (Ensure.Unspecified or Ensure.Present))
        {
            errors.Add($"ensure '{desired.Ensure}' does not apply to an exec");
        }

        if (spec.Creates.Length > 0 && !spec.Creates.StartsWith('/'))
        {
            errors.Add($"creates '{spec.Creates}' must be an absolute path");
        }

        if (spec.Cwd.Length > 0 && !spec.Cwd.StartsWith('/'))
        {
            errors.Add($"cwd '{spec.Cwd}' must be an absolute path");
        }

        return errors;
    }

    public async Task<State?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Exec.RefreshOnly)
        {
            return new State(false, "runs only when notified");
        }

        return await GuardsAsync(desired.Exec, context, cancellationToken);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, State? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return current is { WouldRun: true } ? [new PropertyDiff("command", "not run", desired.Exec.Command)] : [];
    }

    public async Task ApplyAsync(Resource desired, State? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        await RunCommandAsync(desired, context, cancellationToken);
    }

    public async Task<string> RefreshAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var guards = await GuardsAsync(desired.Exec, context, cancellationToken);
        if (!guards.WouldRun)
        {
            return $"not run on refresh: {guards.Reason}";
        }

        await RunCommandAsync(desired, context, cancellationToken);
        return "ran the command";
    }

    private static async Task<State> GuardsAsync(ExecSpec spec, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (spec.Creates.Length > 0 && context.Files.GetStatus(context.Root.Resolve(spec.Creates)) is not null)
        {
            return new State(false, $"'{spec.Creates}' exists");
        }

        if (spec.Unless.Length > 0 && (await ShellAsync(spec, spec.Unless, context, cancellationToken)).Succeeded)
        {
            return new State(false, "the unless command succeeded");
        }

        if (spec.Onlyif.Length > 0 && !(await ShellAsync(spec, spec.Onlyif, context, cancellationToken)).Succeeded)
        {
            return new State(false, "the onlyif command failed");
        }

        return new State(true, "would run");
    }

    private static async Task RunCommandAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        var spec = desired.Exec;
        var result = await ShellAsync(spec, spec.Command, context, cancellationToken);
        var accepted = spec.Returns.Count == 0 ? result.ExitCode == 0 : spec.Returns.Contains(result.ExitCode);
        if (!accepted)
        {
            var detail = Tail(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput);
            var secret = desired.SecretProperties.Contains("command");
            throw new InvalidOperationException($"{(secret ? "the command" : $"'{spec.Command}'")} exited with {result.ExitCode}{(detail.Length > 0 && !secret ? ": " + detail : string.Empty)}");
        }
    }

    private static Task<CommandResult> ShellAsync(ExecSpec spec, string script, ModuleContext context, CancellationToken cancellationToken)
    {
        var root = context.Root;
        Command command;
        if (root.IsSystemRoot)
        {
            command = AsUser(spec.User, ["/bin/sh", "-c", script]).WithWorkingDirectory(spec.Cwd.Length > 0 ? spec.Cwd : "/");
        }
        else if (File.Exists(root.Resolve("/bin/sh")))
        {
            var inRoot = spec.Cwd.Length > 0 ? $"cd -- '{spec.Cwd.Replace("'", "'\\''", StringComparison.Ordinal)}' && {script}" : script;
            string[] user = spec.User.Length > 0 ? [$"--userspec={spec.User}"] : [];
            command = new Command("/usr/sbin/chroot").WithArguments([.. user, root.Path, "/bin/sh", "-c", inRoot]).WithWorkingDirectory("/");
        }
        else
        {
            command = AsUser(spec.User, ["/bin/sh", "-c", script])
                .WithWorkingDirectory(root.Resolve(spec.Cwd.Length > 0 ? spec.Cwd : "/"))
                .WithEnvironment("COLABO_TARGET_ROOT", root.Path);
        }

        foreach (var (name, value) in spec.Environment)
        {
            command = command.WithEnvironment(name, value);
        }

        return context.Commands.RunAsync(command, cancellationToken);
    }

    private static Command AsUser(string user, string[] argv) =>
        user.Length == 0
            ? new Command(argv[0]).WithArguments(argv[1..])
            : new Command("/usr/sbin/runuser").WithArguments(["-u", user, "--", .. argv]);

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 400 ? trimmed : "..." + trimmed[^400..];
    }

    /// <summary>Whether the command would run now, and why (not).</summary>
    public sealed record State(bool WouldRun, string Reason);
}
