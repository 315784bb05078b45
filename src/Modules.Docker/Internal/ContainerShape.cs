using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Docker.Internal;

/// <summary>
/// The normal forms a desired container and an inspected one are compared in, the spec hash, and
/// the create request built from a spec.
/// </summary>
internal static class ContainerShape
{
    public static string Port(PortBinding port) =>
        $"{port.HostIp}:{(port.HostPort == 0 ? "" : port.HostPort.ToString(CultureInfo.InvariantCulture))}->{port.ContainerPort}/{Protocol(port)}";

    public static string Mount(Contracts.V1.Mount mount) =>
        $"{MountType(mount)}:{mount.Source}:{mount.Target}{(mount.ReadOnly ? ":ro" : "")}";

    public static string Mount(MountWire mount) =>
        $"{mount.Type}:{mount.Source}:{mount.Target}{(mount.ReadOnly ? ":ro" : "")}";

    public static IReadOnlyList<string> Networks(DockerContainerSpec spec) =>
        spec.Networks.Count == 0 ? ["bridge"] : [.. spec.Networks.Distinct().Order(StringComparer.Ordinal)];

    public static string RestartPolicy(string policy) => policy.Length == 0 ? "no" : policy;

    public static long NanoCpus(DockerContainerSpec spec) => spec.HasCpus ? (long)Math.Round(spec.Cpus * 1e9) : 0;

    public static IEnumerable<string> Env(DockerContainerSpec spec) =>
        spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}");

    /// <summary>SHA-256 over a canonical rendering of every field; maps sorted, lists in order.</summary>
    public static string Hash(DockerContainerSpec spec)
    {
        var text = new StringBuilder();
        void Field(string name, string value) => text.Append(name).Append('=').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        void List(string name, IEnumerable<string> values)
        {
            foreach (var value in values)
            {
                Field(name, value);
            }
        }

        Field("image", spec.Image);
        List("command", spec.Command);
        Field("command.count", spec.Command.Count.ToString(CultureInfo.InvariantCulture));
        List("entrypoint", spec.Entrypoint);
        Field("entrypoint.count", spec.Entrypoint.Count.ToString(CultureInfo.InvariantCulture));
        List("env", Env(spec));
        List("port", spec.Ports.Select(Port).Order(StringComparer.Ordinal));
        List("mount", spec.Mounts.Select(Mount));
        List("network", Networks(spec));
        Field("restart", RestartPolicy(spec.RestartPolicy));
        List("label", spec.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        Field("user", spec.User);
        Field("memory", spec.HasMemoryBytes ? spec.MemoryBytes.ToString(CultureInfo.InvariantCulture) : "");
        Field("nanocpus", NanoCpus(spec).ToString(CultureInfo.InvariantCulture));
        Field("hostname", spec.Hostname);
        Field("workdir", spec.WorkingDir);
        Field("stop_timeout", spec.HasStopTimeoutSeconds ? spec.StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture) : "");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    public static ContainerCreate CreateRequest(string resourceId, DockerContainerSpec spec)
    {
        var labels = spec.Labels.ToDictionary();
        labels[DockerLabels.SpecHash] = Hash(spec);
        labels[DockerLabels.Resource] = resourceId;
        var networks = Networks(spec);
        var request = new ContainerCreate
        {
            Image = spec.Image,
            Cmd = spec.Command.Count == 0 ? null : [.. spec.Command],
            Entrypoint = spec.Entrypoint.Count == 0 ? null : [.. spec.Entrypoint],
            Env = [.. Env(spec)],
            Labels = labels,
            User = spec.User.Length == 0 ? null : spec.User,
            Hostname = spec.Hostname.Length == 0 ? null : spec.Hostname,
            WorkingDir = spec.WorkingDir.Length == 0 ? null : spec.WorkingDir,
            StopTimeout = spec.HasStopTimeoutSeconds ? (int)spec.StopTimeoutSeconds : null,
            HostConfig = new HostConfig
            {
                Memory = spec.HasMemoryBytes ? spec.MemoryBytes : 0,
                NanoCpus = NanoCpus(spec),
                RestartPolicy = ParseRestartPolicy(spec.RestartPolicy),
                Mounts = [.. spec.Mounts.Select(m => new MountWire { Type = MountType(m), Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly })],
                PortBindings = [],
                // The first network is joined at creation; API 1.41 takes one endpoint there, the rest are connected before start.
                NetworkMode = networks[0],
            },
            NetworkingConfig = new NetworkingConfig { EndpointsConfig = { [networks[0]] = new EndpointSettings() } },
        };
        foreach (var port in spec.Ports)
        {
            var key = $"{port.ContainerPort}/{Protocol(port)}";
            request.ExposedPorts[key] = new EmptyObject();
            if (!request.HostConfig.PortBindings.TryGetValue(key, out var bindings))
            {
                request.HostConfig.PortBindings[key] = bindings = [];
            }

            bindings.Add(new PortBindingWire
            {
                HostIp = port.HostIp,
                HostPort = port.HostPort == 0 ? "" : port.HostPort.ToString(CultureInfo.InvariantCulture),
            });
        }

        return request;
    }

    public static RestartPolicyWire ParseRestartPolicy(string policy)
    {
        var parts = RestartPolicy(policy).Split(':', 2);
        return new RestartPolicyWire
        {
            Name = parts[0],
            MaximumRetryCount = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0,
        };
    }

    public static string FormatRestartPolicy(RestartPolicyWire? policy) =>
        policy is null || policy.Name.Length == 0 ? "no"
        : policy.Name == "on-failure" && policy.MaximumRetryCount > 0 ? $"on-failure:{policy.MaximumRetryCount}"
        : policy.Name;

    private static string Protocol(PortBinding port) => port.Protocol.Length == 0 ? "tcp" : port.Protocol;

    private static string MountType(Contracts.V1.Mount mount) => mount.Type.Length == 0 ? "bind" : mount.Type;
}
