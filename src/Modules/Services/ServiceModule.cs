using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Services;

/// <summary>
/// <c>service</c>: a systemd unit running or stopped, enabled or disabled; restarted when notified;
/// <c>daemon-reload</c> first whenever systemd says a unit file changed on disk (NeedDaemonReload).
/// Talks to systemd only through <c>systemctl</c>, with <see cref="ServiceModuleOptions.CommandPrefix"/>
/// in front for a container.
/// </summary>
public sealed class ServiceModule : IResourceModule<ServiceState>, IRefreshable
{
    private readonly ServiceModuleOptions _options;

    public ServiceModule(ServiceModuleOptions? options = null) => _options = options ?? new ServiceModuleOptions();

    public string Kind => "service";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Service)
        {
            return [$"{desired.Id}: a service resource needs a service spec"];
        }

        var errors = new List<string>();
        var unit = UnitOf(desired);
        if (unit.Length <= ".service".Length || unit.StartsWith('-') || unit.AsSpan().IndexOfAny(" /\t\n") >= 0)
        {
            errors.Add($"{desired.Id}: '{unit}' is not a valid systemd unit name");
        }

        if (desired.Ensure is not (Ensure.Unspecified or Ensure.Running or Ensure.Stopped))
        {
            errors.Add($"{desired.Id}: ensure '{desired.Ensure}' does not apply to services; use running or stopped");
        }

        return errors;
    }

    public async Task<ServiceState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var unit = UnitOf(desired);
        var output = await SystemctlAsync(context, cancellationToken, "show", "--property=LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload", "--", unit).ConfigureAwait(false);
        var properties = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1].Trim(), StringComparer.Ordinal);
        if (properties.GetValueOrDefault("LoadState") is null or "not-found")
        {
            return null;
        }

        return new ServiceState(
            unit,
            properties.GetValueOrDefault("ActiveState", ""),
            properties.GetValueOrDefault("SubState", ""),
            properties.GetValueOrDefault("UnitFileState", ""),
            properties.GetValueOrDefault("NeedDaemonReload") == "yes");
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, ServiceState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.Service;
        var wantRunning = desired.Ensure != Ensure.Stopped;
        var changes = new List<PropertyDiff>();
        if (current is null)
        {
            // A missing unit is as stopped and disabled as it gets.
            if (wantRunning)
            {
                changes.Add(new PropertyDiff("ensure", "not-found", "running"));
            }

            if (spec.HasEnabled && spec.Enabled)
            {
                changes.Add(new PropertyDiff("enabled", "not-found", "enabled"));
            }

            return changes;
        }

        if (current.NeedDaemonReload)
        {
            changes.Add(new PropertyDiff("unit_file", "changed on disk", "reloaded"));
        }

        if (wantRunning != current.IsRunning)
        {
            changes.Add(new PropertyDiff("ensure", current.IsRunning ? "running" : "stopped", wantRunning ? "running" : "stopped"));
        }

        if (spec.HasEnabled && spec.Enabled != current.IsEnabled)
        {
            changes.Add(new PropertyDiff("enabled", current.UnitFileState, spec.Enabled ? "enabled" : "disabled"));
        }

        return changes;
    }

    public async Task ApplyAsync(Resource desired, ServiceState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(context);
        var unit = UnitOf(desired);
        if (current is null)
        {
            // The unit may have just been written; a reload lets systemd find it before we give up.
            await SystemctlAsync(context, cancellationToken, "daemon-reload").ConfigureAwait(false);
            current = await ReadAsync(desired, context, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{desired.Id}: systemd has no unit '{unit}'; install its package or write its unit file first (and require it)");
        }
        else if (current.NeedDaemonReload)
        {
            await SystemctlAsync(context, cancellationToken, "daemon-reload").ConfigureAwait(false);
        }

        if (desired.Service.HasEnabled && desired.Service.Enabled != current.IsEnabled)
        {
            await SystemctlAsync(context, cancellationToken, desired.Service.Enabled ? "enable" : "disable", "--", unit).ConfigureAwait(false);
        }

        var wantRunning = desired.Ensure != Ensure.Stopped;
        if (wantRunning != current.IsRunning)
        {
            await SystemctlAsync(context, cancellationToken, wantRunning ? "start" : "stop", "--", unit).ConfigureAwait(false);
        }
    }

    /// <summary>Restarts a service that should run (reloading changed unit files first); a stopped service stays stopped.</summary>
    public async Task<string> RefreshAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        if (desired.Ensure == Ensure.Stopped)
        {
            return "not restarted (ensure: stopped)";
        }

        var current = await ReadAsync(desired, context, cancellationToken).ConfigureAwait(false);
        if (current?.NeedDaemonReload == true)
        {
            await SystemctlAsync(context, cancellationToken, "daemon-reload").ConfigureAwait(false);
        }

        await SystemctlAsync(context, cancellationToken, "restart", "--", UnitOf(desired)).ConfigureAwait(false);
        return "restarted";
    }

    /// <summary>The unit name: the spec's (or the resource's) name, with ".service" when it names no unit type.</summary>
    internal static string UnitOf(Resource desired)
    {
        var name = desired.Service is { Name.Length: > 0 } spec ? spec.Name : desired.Name;
        return name.Contains('.', StringComparison.Ordinal) ? name : name + ".service";
    }

    private async Task<string> SystemctlAsync(ModuleContext context, CancellationToken cancellationToken, params string[] arguments)
    {
        if (_options.CommandPrefix.IsEmpty && !context.Root.IsSystemRoot)
        {
            throw new InvalidOperationException(
                $"services in the sandbox root {context.Root.Path} need that root's own running systemd: give the service module a command prefix that enters it (e.g. nsenter -t PID -m -u -i -n -p)");
        }

        var command = _options.CommandPrefix.IsEmpty
            ? new Command("systemctl").WithArguments(["--no-pager", .. arguments])
            : new Command(_options.CommandPrefix[0]).WithArguments([.. _options.CommandPrefix.Skip(1), "systemctl", "--no-pager", .. arguments]);
        var result = await context.Commands.RunAsync(command.WithEnvironment("LC_ALL", "C").WithEnvironment("SYSTEMD_PAGER", "").WithTimeout(_options.CommandTimeout), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"systemctl {string.Join(' ', arguments)} failed with exit code {result.ExitCode}: {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }
}
