using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Packages;

/// <summary>
/// A package manager as the package module sees it. Every call covers many packages at once, so
/// a run costs one query and one install whatever the number of packages. "apt" is the default;
/// a "dnf" provider implements the same five calls with rpm -q, dnf repoquery, dnf install/remove.
/// </summary>
public interface IPackageProvider
{
    /// <summary>The value of <c>PackageSpec.provider</c> this provider answers to ("apt").</summary>
    string Name { get; }

    /// <summary>The installed version of each named package that is installed; missing names are not installed.</summary>
    Task<IReadOnlyDictionary<string, string>> QueryInstalledAsync(IReadOnlyCollection<string> names, ModuleContext context, CancellationToken cancellationToken);

    /// <summary>The version an install would pick now (the "candidate"), for <c>ensure: latest</c>.</summary>
    Task<IReadOnlyDictionary<string, string>> QueryCandidatesAsync(IReadOnlyCollection<string> names, ModuleContext context, CancellationToken cancellationToken);

    /// <summary>Installs, upgrades or pins all <paramref name="packages"/> in one transaction.</summary>
    Task InstallAsync(IReadOnlyList<PackageRequest> packages, ModuleContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Removes all <paramref name="names"/> in one transaction (configuration files stay, as with apt-get
    /// remove). Refuses, changing nothing, when other installed packages would have to go with them.
    /// </summary>
    Task RemoveAsync(IReadOnlyList<string> names, ModuleContext context, CancellationToken cancellationToken);
}
