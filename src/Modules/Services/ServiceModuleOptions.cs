using System.Collections.Immutable;

namespace Colabo.Config.Modules.Services;

/// <summary>How the service module reaches systemd.</summary>
public sealed record ServiceModuleOptions
{
    /// <summary>
    /// Words put in front of every <c>systemctl</c> call. Empty on a real host. For a booted container
    /// (a sandbox root running its own systemd) enter its namespaces, e.g.
    /// <c>nsenter -t PID -m -u -i -n -p</c> with the PID of the container's init.
    /// </summary>
    public ImmutableArray<string> CommandPrefix { get; init; } = [];

    /// <summary>Upper bound for one systemctl call; start and stop wait for their job to finish.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The prefix that enters the namespaces of the process <paramref name="pid"/> (a container's init).</summary>
    public static ServiceModuleOptions ForContainer(int pid) =>
        new() { CommandPrefix = ["nsenter", "-t", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "-u", "-i", "-n", "-p"] };
}
