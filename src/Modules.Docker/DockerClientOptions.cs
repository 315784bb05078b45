namespace Colabo.Config.Modules.Docker;

/// <summary>Where and how the agent talks to the Docker Engine.</summary>
public sealed record DockerClientOptions
{
    /// <summary>The daemon's unix socket.</summary>
    public string SocketPath { get; init; } = "/var/run/docker.sock";

    /// <summary>The Engine API version every request names; 1.41 is what Debian bookworm's docker.io speaks.</summary>
    public string ApiVersion { get; init; } = "1.41";
}
