using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Docker.Internal;

namespace Colabo.Config.Modules.Docker;

/// <summary>
/// <c>docker_network</c>: a network with a driver, subnet, gateway and labels, or absent. Docker
/// cannot change a network in place, so a differing network is removed and created again; that is
/// refused with a clear error while containers are attached.
/// </summary>
public sealed class DockerNetworkModule(DockerClient docker) : IResourceModule<DockerNetworkState>
{
    public string Kind => "docker_network";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.DockerNetwork)
        {
            return [$"{desired.Id}: a docker_network resource needs a docker_network spec"];
        }

        var spec = desired.DockerNetwork;
        var errors = new List<string>();
        if (!DockerNames.IsObjectName(spec.Name))
        {
            errors.Add($"{desired.Id}: '{spec.Name}' is not a valid network name");
        }

        if (spec.Name is "bridge" or "host" or "none")
        {
            errors.Add($"{desired.Id}: '{spec.Name}' is a network Docker predefines; it cannot be managed");
        }

        if (spec.Subnet.Length > 0 && !System.Net.IPNetwork.TryParse(spec.Subnet, out _))
        {
            errors.Add($"{desired.Id}: subnet '{spec.Subnet}' is not a CIDR like 10.10.0.0/24");
        }

        if (spec.Gateway.Length > 0 && !System.Net.IPAddress.TryParse(spec.Gateway, out _))
        {
            errors.Add($"{desired.Id}: gateway '{spec.Gateway}' is not an IP address");
        }

        if (spec.Gateway.Length > 0 && spec.Subnet.Length == 0)
        {
            errors.Add($"{desired.Id}: a gateway needs a subnet");
        }

        errors.AddRange(spec.Labels.Keys
            .Where(k => k.StartsWith(DockerLabels.Prefix, StringComparison.Ordinal))
            .Select(k => $"{desired.Id}: label '{k}' is reserved (prefix {DockerLabels.Prefix})"));
        return errors;
    }

    public async Task<DockerNetworkState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var network = await docker.InspectNetworkAsync(desired.DockerNetwork.Name, cancellationToken);
        // Docker resolves a network by id prefix too; only an exact name is ours.
        if (network is null || network.Name != desired.DockerNetwork.Name)
        {
            return null;
        }

        var ipam = network.IPAM?.Config?.FirstOrDefault();
        return new DockerNetworkState(
            network.Id,
            network.Driver,
            NullIfEmpty(ipam?.Subnet),
            NullIfEmpty(ipam?.Gateway),
            network.Labels ?? [],
            [.. (network.Containers ?? []).Select(c => c.Value.Name ?? c.Key).Order(StringComparer.Ordinal)]);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, DockerNetworkState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Ensure == Ensure.Absent)
        {
            return current is null ? [] : [new PropertyDiff("ensure", "present", "absent")];
        }

        if (current is null)
        {
            return [new PropertyDiff("ensure", "absent", "present")];
        }

        var spec = desired.DockerNetwork;
        var changes = new List<PropertyDiff>();
        var driver = spec.Driver.Length == 0 ? "bridge" : spec.Driver;
        if (driver != current.Driver)
        {
            changes.Add(new PropertyDiff("driver", current.Driver, driver));
        }

        if (spec.Subnet.Length > 0 && spec.Subnet != current.Subnet)
        {
            changes.Add(new PropertyDiff("subnet", current.Subnet, spec.Subnet));
        }

        if (spec.Gateway.Length > 0 && spec.Gateway != current.Gateway)
        {
            changes.Add(new PropertyDiff("gateway", current.Gateway, spec.Gateway));
        }

        var labels = current.Labels.Where(l => !l.Key.StartsWith(DockerLabels.Prefix, StringComparison.Ordinal))
            .ToDictionary(l => l.Key, l => l.Value);
        if (!MapsEqual(labels, spec.Labels))
        {
            changes.Add(new PropertyDiff("labels", Labels.Format(labels), Labels.Format(spec.Labels)));
        }

        return changes;
    }

    public async Task ApplyAsync(Resource desired, DockerNetworkState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.DockerNetwork;
        if (current is not null)
        {
            if (current.Containers.Count > 0)
            {
                var verb = desired.Ensure == Ensure.Absent ? "remove" : "recreate";
                throw new DockerException(
                    $"cannot {verb} network {spec.Name}: containers are attached ({string.Join(", ", current.Containers)}); "
                    + "Docker cannot change a network in place, so remove or disconnect them first");
            }

            await docker.RemoveNetworkAsync(current.Id, cancellationToken);
        }

        if (desired.Ensure == Ensure.Absent)
        {
            return;
        }

        var labels = spec.Labels.ToDictionary();
        labels[DockerLabels.Resource] = desired.Id;
        await docker.CreateNetworkAsync(
            new NetworkCreate
            {
                Name = spec.Name,
                Driver = spec.Driver.Length == 0 ? "bridge" : spec.Driver,
                Labels = labels,
                IPAM = spec.Subnet.Length == 0
                    ? null
                    : new Ipam { Driver = "default", Config = [new IpamConfig { Subnet = spec.Subnet, Gateway = NullIfEmpty(spec.Gateway) }] },
            },
            cancellationToken);
    }

    private static bool MapsEqual(IReadOnlyDictionary<string, string> left, IDictionary<string, string> right) =>
        left.Count == right.Count && left.All(l => right.TryGetValue(l.Key, out var value) && value == l.Value);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
