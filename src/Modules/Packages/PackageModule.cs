using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Packages;

/// <summary>
/// <c>package</c>: present, absent, latest or a pinned version. With <see cref="IPrefetching"/> a run
/// reads every package with one query, and the first apply installs everything missing in one
/// transaction (see <see cref="PackageRun"/>); without a prefetch each resource works alone.
/// </summary>
public sealed partial class PackageModule : IResourceModule<PackageState>, IPrefetching
{
    private readonly Dictionary<string, IPackageProvider> _providers;

    // One batch per run; the engine hands the same context to every call of a run.
    private readonly ConditionalWeakTable<ModuleContext, PackageRun> _runs = [];

    public PackageModule(PackageModuleOptions? options = null, IEnumerable<IPackageProvider>? providers = null)
    {
        var list = providers?.ToList() ?? [new AptProvider(options)];
        _providers = list.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public string Kind => "package";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Package)
        {
            return [$"{desired.Id}: a package resource needs a package spec"];
        }

        var errors = new List<string>();
        var name = NameOf(desired);
        if (!PackageName().IsMatch(name))
        {
            errors.Add($"{desired.Id}: '{name}' is not a valid package name (lower-case letters, digits, '+', '-', '.'; at least two characters)");
        }

        var version = desired.Package.Version;
        if (version.Length > 0 && !PackageVersion().IsMatch(version))
        {
            errors.Add($"{desired.Id}: '{version}' is not a valid package version");
        }

        switch (desired.Ensure)
        {
            case Ensure.Unspecified or Ensure.Present or Ensure.Absent:
                break;
            case Ensure.Latest when version.Length > 0:
                errors.Add($"{desired.Id}: 'ensure: latest' and a pinned version '{version}' contradict each other; keep one");
                break;
            case Ensure.Latest:
                break;
            default:
                errors.Add($"{desired.Id}: ensure '{desired.Ensure}' does not apply to packages; use present, absent or latest");
                break;
        }

        var provider = ProviderName(desired);
        if (!_providers.ContainsKey(provider))
        {
            errors.Add(provider == "dnf"
                ? $"{desired.Id}: provider 'dnf' is reserved and not available yet; use 'apt'"
                : $"{desired.Id}: unknown package provider '{provider}'; known: {string.Join(", ", _providers.Keys)}");
        }

        return errors;
    }

    public async Task PrefetchAsync(IReadOnlyList<Resource> resources, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(context);
        var run = new PackageRun(resources.Where(r => r.SpecCase == Resource.SpecOneofCase.Package).ToList());
        foreach (var group in run.Resources.GroupBy(ProviderName))
        {
            if (!_providers.TryGetValue(group.Key, out var provider))
            {
                continue;
            }

            var names = group.Select(NameOf).Distinct(StringComparer.Ordinal).ToList();
            var installed = await provider.QueryInstalledAsync(names, context, cancellationToken).ConfigureAwait(false);
            var latest = group.Where(r => r.Ensure == Ensure.Latest).Select(NameOf).Where(installed.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
            var candidates = latest.Count > 0
                ? await provider.QueryCandidatesAsync(latest, context, cancellationToken).ConfigureAwait(false)
                : new Dictionary<string, string>();
            foreach (var name in names)
            {
                run.Remember(group.Key, name, installed.TryGetValue(name, out var version) ? new PackageState(name, version, candidates.GetValueOrDefault(name)) : null);
            }
        }

        _runs.AddOrUpdate(context, run);
    }

    public async Task<PackageState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var name = NameOf(desired);
        var providerName = ProviderName(desired);
        if (_runs.TryGetValue(context, out var run) && run.TryRecall(providerName, name, out var known)
            && (desired.Ensure != Ensure.Latest || known is null || known.Candidate is not null))
        {
            return known;
        }

        var provider = Provider(desired);
        var installed = await provider.QueryInstalledAsync([name], context, cancellationToken).ConfigureAwait(false);
        if (!installed.TryGetValue(name, out var version))
        {
            return null;
        }

        string? candidate = null;
        if (desired.Ensure == Ensure.Latest)
        {
            var candidates = await provider.QueryCandidatesAsync([name], context, cancellationToken).ConfigureAwait(false);
            candidate = candidates.GetValueOrDefault(name);
        }

        return new PackageState(name, version, candidate);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, PackageState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var pinned = desired.Package?.Version is { Length: > 0 } v ? v : null;
        switch (desired.Ensure)
        {
            case Ensure.Absent:
                return current is null ? [] : [new PropertyDiff("ensure", "present", "absent")];
            case Ensure.Latest:
                if (current is null)
                {
                    return [new PropertyDiff("ensure", "absent", "latest")];
                }

                // Without a known candidate (no package lists yet) the installed version is the best we know.
                return current.Candidate is { } candidate && candidate != current.Version
                    ? [new PropertyDiff("version", current.Version, candidate)]
                    : [];
            default:
                if (current is null)
                {
                    return pinned is null
                        ? [new PropertyDiff("ensure", "absent", "present")]
                        : [new PropertyDiff("ensure", "absent", "present"), new PropertyDiff("version", null, pinned)];
                }

                return pinned is not null && pinned != current.Version
                    ? [new PropertyDiff("version", current.Version, pinned)]
                    : [];
        }
    }

    public async Task ApplyAsync(Resource desired, PackageState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var provider = Provider(desired);
        var name = NameOf(desired);
        _runs.TryGetValue(context, out var run);

        if (desired.Ensure == Ensure.Absent)
        {
            if (run is not null && await run.RemoveBatchOnceAsync(this, provider, desired, context, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await provider.RemoveAsync([name], context, cancellationToken).ConfigureAwait(false);
            await RefreshAsync(provider, run, [name], context, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (run is not null && await run.InstallBatchOnceAsync(this, provider, desired, context, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await provider.InstallAsync([RequestFor(desired, current)], context, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(provider, run, [name], context, cancellationToken).ConfigureAwait(false);
    }

    internal static PackageRequest RequestFor(Resource desired, PackageState? current)
    {
        var name = NameOf(desired);
        if (desired.Package.Version is { Length: > 0 } pinned)
        {
            return new PackageRequest(name, pinned);
        }

        // For latest, naming the candidate keeps the batch honest to what the diff announced.
        return new PackageRequest(name, desired.Ensure == Ensure.Latest ? current?.Candidate : null);
    }

    /// <summary>Re-reads the named packages after a change so later reads of the run answer the truth.</summary>
    internal static async Task RefreshAsync(IPackageProvider provider, PackageRun? run, IReadOnlyList<string> names, ModuleContext context, CancellationToken cancellationToken)
    {
        if (run is null)
        {
            return;
        }

        var installed = await provider.QueryInstalledAsync(names, context, cancellationToken).ConfigureAwait(false);
        foreach (var name in names)
        {
            run.Remember(provider.Name, name, installed.TryGetValue(name, out var version) ? new PackageState(name, version, run.CandidateOf(provider.Name, name)) : null);
        }
    }

    internal static string NameOf(Resource desired) =>
        desired.Package is { Name.Length: > 0 } spec ? spec.Name : desired.Name;

    internal static string ProviderName(Resource desired) =>
        desired.Package is { Provider.Length: > 0 } spec ? spec.Provider : "apt";

    private IPackageProvider Provider(Resource desired) =>
        _providers.TryGetValue(ProviderName(desired), out var provider)
            ? provider
            : throw new InvalidOperationException($"{desired.Id}: no package provider '{ProviderName(desired)}' on this agent");

    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]+$")]
    private static partial Regex PackageName();

    [GeneratedRegex("^[A-Za-z0-9.+~:-]+$")]
    private static partial Regex PackageVersion();
}
