namespace Colabo.Config.Modules.Docker;

/// <summary>Labels the docker_* modules put on what they create, so a later run can tell what it made.</summary>
public static class DockerLabels
{
    /// <summary>On containers: hash of the desired spec the container was created from.</summary>
    public const string SpecHash = "colabo.config/spec-hash";

    /// <summary>On images built or imported: fingerprint of the source (build context, tarball).</summary>
    public const string Source = "colabo.config/source";

    /// <summary>On everything created: the resource id that created it.</summary>
    public const string Resource = "colabo.config/resource";

    /// <summary>Labels under this prefix are ours and never compared against desired labels.</summary>
    public const string Prefix = "colabo.config/";
}
