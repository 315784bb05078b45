namespace Colabo.Config.Modules.Docker;

/// <summary>An image as the daemon knows it.</summary>
/// <param name="Id">The image id the reference resolves to ("sha256:...").</param>
/// <param name="Source">The source fingerprint label of an image this module built or imported; null otherwise.</param>
/// <param name="TarballSource">For an import: the fingerprint of the tarball as it is on disk now.</param>
public sealed record DockerImageState(string Id, string? Source, string? TarballSource = null);
