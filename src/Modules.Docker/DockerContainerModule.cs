using System.Net;
using System.Text.RegularExpressions;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Docker.Internal;

namespace Colabo.Config.Modules.Docker;

/// <summary>
/// <c>docker_container</c>: running (default), stopped, present (created, not started; later runs leave its run state alone) or
/// absent. A container is replaced only when what runs differs from the desired spec: the spec hash
/// label this module sets at creation, the fields that matter as inspected, and the image id the
/// reference resolves to now (so an updated image is picked up). Otherwise only its run state is
/// changed, never recreated on every run.
/// </summary>
public sealed partial class DockerContainerModule(DockerClient docker) : IResourceModule<DockerContainerState>
{
    /// <summary>The property a start or stop alone can fix; every other difference means a new container.</summary>
    public const string StateProperty = "state";

    public string Kind => "docker_container";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.DockerContainer)
        {
            return [$"{desired.Id}: a docker_container resource needs a docker_container spec"];
        }

        var spec = desired.DockerContainer;
        var errors = new List<string>();
        if (!DockerNames.IsObjectName(spec.Name))
        {
            errors.Add($"{desired.Id}: '{spec.Name}' is not a valid container name");
        }

        if (desired.Ensure != Ensure.Absent && !DockerNames.IsImageReference(spec.Image))
        {
            errors.Add($"{desired.Id}: image '{spec.Image}' is not an image reference (name[:tag], lower case)");
        }

        if (desired.Ensure is Ensure.Latest)
        {
            errors.Add($"{desired.Id}: ensure 'latest' applies to packages only; use running, stopped, present or absent");
        }

        if (!RestartPolicyPattern().IsMatch(ContainerShape.RestartPolicy(spec.RestartPolicy)))
        {
            errors.Add($"{desired.Id}: restart_policy '{spec.RestartPolicy}' must be no, always, unless-stopped or on-failure[:N]");
        }

        foreach (var port in spec.Ports)
        {
            if (port.ContainerPort is 0 or > 65535 || port.HostPort > 65535)
            {
                errors.Add($"{desired.Id}: port {port.HostPort}:{port.ContainerPort} is out of range 1-65535");
            }

            if (port.Protocol is not ("" or "tcp" or "udp" or "sctp"))
            {
                errors.Add($"{desired.Id}: port protocol '{port.Protocol}' must be tcp, udp or sctp");
            }
        }

        foreach (var mount in spec.Mounts)
        {
            if (mount.Type is not ("" or "bind" or "volume" or "tmpfs"))
            {
                errors.Add($"{desired.Id}: mount type '{mount.Type}' must be bind, volume or tmpfs");
            }

            if (!mount.Target.StartsWith('/'))
            {
                errors.Add($"{desired.Id}: mount target '{mount.Target}' must be an absolute path");
            }

            if (mount.Type is "" or "bind" && !mount.Source.StartsWith('/'))
            {
                errors.Add($"{desired.Id}: bind mount source '{mount.Source}' must be an absolute path");
            }
        }

        if (spec.HasMemoryBytes && spec.MemoryBytes < 6 * 1024 * 1024)
        {
            errors.Add($"{desired.Id}: memory_bytes {spec.MemoryBytes} is below Docker's minimum of 6 MiB");
        }

        if (spec.HasCpus && spec.Cpus <= 0)
        {
            errors.Add($"{desired.Id}: cpus must be positive");
        }

        errors.AddRange(spec.Labels.Keys
            .Where(k => k.StartsWith(DockerLabels.Prefix, StringComparison.Ordinal))
            .Select(k => $"{desired.Id}: label '{k}' is reserved (prefix {DockerLabels.Prefix})"));
        return errors;
    }

    public async Task<DockerContainerState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.DockerContainer;
        var container = await docker.InspectContainerAsync(spec.Name, cancellationToken);
        // The daemon also resolves id prefixes; only an exact name is this resource's container.
        if (container is null || container.Name.TrimStart('/') != spec.Name)
        {
            return null;
        }

        var image = desired.Ensure == Ensure.Absent ? null : await docker.InspectImageAsync(spec.Image, cancellationToken);
        var config = container.Config ?? new ContainerConfig();
        var host = container.HostConfig ?? new HostConfig();
        var labels = config.Labels ?? [];
        return new DockerContainerState
        {
            Id = container.Id,
            ImageReference = config.Image ?? "",
            ImageId = container.Image,
            DesiredImageId = image?.Id,
            Running = container.State?.Running == true,
            SpecHash = labels.GetValueOrDefault(DockerLabels.SpecHash),
            Command = config.Cmd ?? [],
            Entrypoint = config.Entrypoint ?? [],
            Env = config.Env ?? [],
            Labels = labels,
            User = config.User ?? "",
            Hostname = config.Hostname ?? "",
            WorkingDir = config.WorkingDir ?? "",
            RestartPolicy = ContainerShape.FormatRestartPolicy(host.RestartPolicy),
            MemoryBytes = host.Memory,
            NanoCpus = host.NanoCpus,
            Ports = [.. (host.PortBindings ?? [])
                .SelectMany(p => (p.Value ?? []).Select(b => $"{b.HostIp}:{b.HostPort}->{p.Key}"))
                .Order(StringComparer.Ordinal)],
            Mounts = [.. (host.Mounts ?? []).Select(ContainerShape.Mount)],
            Networks = [.. (container.NetworkSettings?.Networks ?? []).Keys.Order(StringComparer.Ordinal)],
        };
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, DockerContainerState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.DockerContainer;
        if (desired.Ensure == Ensure.Absent)
        {
            return current is null ? [] : [new PropertyDiff("ensure", "present", "absent")];
        }

        if (current is null)
        {
            return [new PropertyDiff("ensure", "absent", WantedState(desired) ?? "present")];
        }

        var changes = new List<PropertyDiff>();
        void Compare(string property, string? before, string? after)
        {
            if (before != after)
            {
                changes.Add(new PropertyDiff(property, before, after));
            }
        }

        Compare("image", current.ImageReference, spec.Image);
        Compare("image_id", current.ImageId, current.DesiredImageId ?? "(image not found)");
        if (spec.Command.Count > 0)
        {
            Compare("command", Join(current.Command), Join(spec.Command));
        }

        if (spec.Entrypoint.Count > 0)
        {
            Compare("entrypoint", Join(current.Entrypoint), Join(spec.Entrypoint));
        }

        var missingEnv = ContainerShape.Env(spec).Where(e => !current.Env.Contains(e)).ToList();
        if (missingEnv.Count > 0)
        {
            var names = missingEnv.Select(e => e[..e.IndexOf('=', StringComparison.Ordinal)] + "=").ToList();
            Compare("env", string.Join(", ", current.Env.Where(e => names.Any(n => e.StartsWith(n, StringComparison.Ordinal)))), string.Join(", ", missingEnv));
        }

        var missingLabels = spec.Labels.Where(l => current.Labels.GetValueOrDefault(l.Key) != l.Value).ToList();
        if (missingLabels.Count > 0)
        {
            Compare(
                "labels",
                Labels.Format(current.Labels.Where(l => spec.Labels.ContainsKey(l.Key))),
                Labels.Format(missingLabels));
        }

        if (spec.User.Length > 0)
        {
            Compare("user", current.User, spec.User);
        }

        if (spec.Hostname.Length > 0)
        {
            Compare("hostname", current.Hostname, spec.Hostname);
        }

        if (spec.WorkingDir.Length > 0)
        {
            Compare("working_dir", current.WorkingDir, spec.WorkingDir);
        }

        Compare("restart_policy", current.RestartPolicy, ContainerShape.RestartPolicy(spec.RestartPolicy));
        Compare("memory_bytes", Number(current.MemoryBytes), Number(spec.HasMemoryBytes ? spec.MemoryBytes : 0));
        Compare("nano_cpus", Number(current.NanoCpus), Number(ContainerShape.NanoCpus(spec)));
        Compare("ports", string.Join(", ", current.Ports), string.Join(", ", spec.Ports.Select(ContainerShape.Port).Order(StringComparer.Ordinal)));
        Compare("mounts", string.Join(", ", current.Mounts), string.Join(", ", spec.Mounts.Select(ContainerShape.Mount)));
        Compare("networks", string.Join(", ", current.Networks), string.Join(", ", ContainerShape.Networks(spec)));
        if (changes.Count == 0)
        {
            // What inspection cannot see (an env entry or label removed from the spec) the hash can.
            Compare("spec_hash", current.SpecHash, ContainerShape.Hash(spec));
        }

        var wanted = WantedState(desired);
        if (wanted is not null && changes.Count == 0)
        {
            Compare(StateProperty, current.Running ? "running" : "stopped", wanted);
        }

        return changes;
    }

    public async Task ApplyAsync(Resource desired, DockerContainerState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(changes);
        var spec = desired.DockerContainer;
        var stopTimeout = spec.HasStopTimeoutSeconds ? (int)spec.StopTimeoutSeconds : 10;
        if (desired.Ensure == Ensure.Absent)
        {
            if (current is not null)
            {
                await StopIfRunningAsync(current, stopTimeout, cancellationToken);
                await docker.RemoveContainerAsync(current.Id, cancellationToken);
            }

            return;
        }

        var wanted = WantedState(desired);
        if (current is not null && changes.All(c => c.Property == StateProperty))
        {
            await SetRunStateAsync(current.Id, current.Running, wanted, stopTimeout, cancellationToken);
            return;
        }

        if (current is not null)
        {
            await StopIfRunningAsync(current, stopTimeout, cancellationToken);
            await docker.RemoveContainerAsync(current.Id, cancellationToken);
        }

        string id;
        try
        {
            id = await docker.CreateContainerAsync(spec.Name, ContainerShape.CreateRequest(desired.Id, spec), cancellationToken);
        }
        catch (DockerException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new DockerException(
                $"cannot create container {spec.Name}: {exception.Message}; declare the image with a docker_image resource (or a network with docker_network) that this container requires",
                exception);
        }

        foreach (var network in ContainerShape.Networks(spec).Skip(1))
        {
            await docker.ConnectNetworkAsync(network, id, cancellationToken);
        }

        // present: created, not started.
        await SetRunStateAsync(id, running: false, wanted, stopTimeout, cancellationToken);
    }

    /// <summary>running/stopped for those ensures; null for present (created, not started, run state left alone).</summary>
    private static string? WantedState(Resource desired) => desired.Ensure switch
    {
        Ensure.Stopped => "stopped",
        Ensure.Present => null,
        _ => "running",
    };

    private async Task SetRunStateAsync(string id, bool running, string? wanted, int stopTimeout, CancellationToken cancellationToken)
    {
        if (wanted == "running" && !running)
        {
            await docker.StartContainerAsync(id, cancellationToken);
        }
        else if (wanted == "stopped" && running)
        {
            await docker.StopContainerAsync(id, stopTimeout, cancellationToken);
        }
    }

    private async Task StopIfRunningAsync(DockerContainerState current, int stopTimeout, CancellationToken cancellationToken)
    {
        if (current.Running)
        {
            await docker.StopContainerAsync(current.Id, stopTimeout, cancellationToken);
        }
    }

    private static string Join(IEnumerable<string> values) => string.Join(' ', values.Select(v => v.Contains(' ', StringComparison.Ordinal) ? $"'{v}'" : v));

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(no|always|unless-stopped|on-failure(:[0-9]+)?)$")]
    private static partial Regex RestartPolicyPattern();
}
