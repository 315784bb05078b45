namespace Colabo.Config.Modules.Packages;

/// <summary>Settings of the package module and its apt provider.</summary>
public sealed record PackageModuleOptions
{
    /// <summary>
    /// Package lists older than this are refreshed (<c>apt-get update</c>) before an install.
    /// Lists that are fresh enough are used as they are; an in-sync run never refreshes.
    /// </summary>
    public TimeSpan MaxListAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Install recommended packages too (apt's own default); off keeps hosts minimal.</summary>
    public bool InstallRecommends { get; init; }

    /// <summary>Upper bound for one apt-get or dpkg-query process.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
