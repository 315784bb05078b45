namespace Colabo.Config.Modules.Docker;

/// <summary>A network as the daemon knows it.</summary>
public sealed record DockerNetworkState(
    string Id,
    string Driver,
    string? Subnet,
    string? Gateway,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Containers);
