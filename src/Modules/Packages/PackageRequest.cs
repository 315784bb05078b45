namespace Colabo.Config.Modules.Packages;

/// <summary>One package to install: a pinned <see cref="Version"/>, or null for the candidate.</summary>
public sealed record PackageRequest(string Name, string? Version)
{
    public override string ToString() => Version is null ? Name : $"{Name}={Version}";
}
