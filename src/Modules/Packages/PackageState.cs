namespace Colabo.Config.Modules.Packages;

/// <summary>An installed package. <see cref="Candidate"/> is only looked up for <c>ensure: latest</c>.</summary>
public sealed record PackageState(string Name, string Version, string? Candidate = null);
