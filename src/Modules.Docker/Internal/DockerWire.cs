using System.Text.Json.Serialization;

namespace Colabo.Config.Modules.Docker.Internal;

// Docker Engine API v1.41 wire shapes: only the fields this module reads or writes.
// One file on purpose: these are plain data, and the JSON context below lists them all.

internal sealed class ErrorResponse
{
    [JsonPropertyName("message")] public string? Message { get; set; }
}

internal sealed class VersionResponse
{
    public string? Version { get; set; }
    public string? ApiVersion { get; set; }
}

internal sealed class ImageInspect
{
    public string Id { get; set; } = "";
    public List<string>? RepoTags { get; set; }
    public ImageConfig? Config { get; set; }
}

internal sealed class ImageConfig
{
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>One line of the JSON stream that build, import and pull answer with.</summary>
internal sealed class StreamMessage
{
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("errorDetail")] public ErrorResponse? ErrorDetail { get; set; }
    [JsonPropertyName("aux")] public StreamAux? Aux { get; set; }
}

internal sealed class StreamAux
{
    public string? ID { get; set; }
}

internal sealed class NetworkInspect
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "";
    public Ipam? IPAM { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, NetworkContainer>? Containers { get; set; }
}

internal sealed class NetworkContainer
{
    public string? Name { get; set; }
}

internal sealed class Ipam
{
    public string? Driver { get; set; }
    public List<IpamConfig>? Config { get; set; }
}

internal sealed class IpamConfig
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Subnet { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Gateway { get; set; }
}

internal sealed class NetworkCreate
{
    public string Name { get; set; } = "";
    public bool CheckDuplicate { get; set; } = true;
    public string Driver { get; set; } = "bridge";
    public Ipam? IPAM { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
}

internal sealed class NetworkConnect
{
    public string Container { get; set; } = "";
}

internal sealed class IdResponse
{
    public string Id { get; set; } = "";
    public List<string>? Warnings { get; set; }
}

internal sealed class ContainerInspect
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The image id the container was created from.</summary>
    public string Image { get; set; } = "";
    public ContainerStateWire? State { get; set; }
    public ContainerConfig? Config { get; set; }
    public HostConfig? HostConfig { get; set; }
    public NetworkSettings? NetworkSettings { get; set; }
}

internal sealed class ContainerStateWire
{
    public string? Status { get; set; }
    public bool Running { get; set; }
}

internal sealed class ContainerConfig
{
    /// <summary>The image reference as given at creation.</summary>
    public string? Image { get; set; }
    public List<string>? Cmd { get; set; }
    public List<string>? Entrypoint { get; set; }
    public List<string>? Env { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? User { get; set; }
    public string? Hostname { get; set; }
    public string? WorkingDir { get; set; }
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
}

/// <summary>The create body: Config fields at the top level plus HostConfig and NetworkingConfig.</summary>
internal sealed class ContainerCreate
{
    public string Image { get; set; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Cmd { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Entrypoint { get; set; }
    public List<string> Env { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Hostname { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WorkingDir { get; set; }
    public Dictionary<string, EmptyObject> ExposedPorts { get; set; } = [];
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? StopTimeout { get; set; }
    public HostConfig HostConfig { get; set; } = new();
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public NetworkingConfig? NetworkingConfig { get; set; }
}

internal sealed class EmptyObject;

internal sealed class HostConfig
{
    public Dictionary<string, List<PortBindingWire>>? PortBindings { get; set; }
    public List<MountWire>? Mounts { get; set; }
    public RestartPolicyWire? RestartPolicy { get; set; }
    public long Memory { get; set; }
    public long NanoCpus { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? NetworkMode { get; set; }
}

internal sealed class PortBindingWire
{
    public string? HostIp { get; set; }
    public string? HostPort { get; set; }
}

internal sealed class MountWire
{
    public string Type { get; set; } = "";
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
    public bool ReadOnly { get; set; }
}

internal sealed class RestartPolicyWire
{
    public string Name { get; set; } = "";
    public int MaximumRetryCount { get; set; }
}

internal sealed class NetworkSettings
{
    public Dictionary<string, EndpointSettings>? Networks { get; set; }
}

internal sealed class NetworkingConfig
{
    public Dictionary<string, EndpointSettings> EndpointsConfig { get; set; } = [];
}

internal sealed class EndpointSettings
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? NetworkID { get; set; }
}

/// <summary>Source-generated metadata for every wire shape: no reflection, trim and AOT safe.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(StreamMessage))]
[JsonSerializable(typeof(NetworkInspect))]
[JsonSerializable(typeof(List<NetworkInspect>))]
[JsonSerializable(typeof(NetworkCreate))]
[JsonSerializable(typeof(NetworkConnect))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(ContainerCreate))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
