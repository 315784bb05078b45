namespace Colabo.Config.Modules.Docker;

/// <summary>
/// A container as inspected, normalized for comparison with a <c>DockerContainerSpec</c>.
/// Ports read "hostIp:hostPort->containerPort/protocol"; mounts "type:source:target[:ro]".
/// </summary>
public sealed record DockerContainerState
{
    public required string Id { get; init; }

    /// <summary>The image reference the container was created with.</summary>
    public required string ImageReference { get; init; }

    /// <summary>The image id the container runs.</summary>
    public required string ImageId { get; init; }

    /// <summary>The id the desired image reference resolves to now; null when the daemon has no such image.</summary>
    public string? DesiredImageId { get; init; }

    public bool Running { get; init; }

    /// <summary>The spec hash label this module put on the container; null for a container it did not create.</summary>
    public string? SpecHash { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    /// <summary>"NAME=value" entries, including those the image sets.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string User { get; init; } = "";

    public string Hostname { get; init; } = "";

    public string WorkingDir { get; init; } = "";

    /// <summary>"no", "always", "unless-stopped", "on-failure" or "on-failure:N".</summary>
    public string RestartPolicy { get; init; } = "no";

    public long MemoryBytes { get; init; }

    public long NanoCpus { get; init; }

    public IReadOnlyList<string> Ports { get; init; } = [];

    public IReadOnlyList<string> Mounts { get; init; } = [];

    public IReadOnlyList<string> Networks { get; init; } = [];
}
