using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Packages;

/// <summary>
/// What one run knows about its packages: the prefetched states, the one batched install and the one
/// batched removal. The first package that needs installing installs every package of the run that
/// needs it, in one transaction; likewise for removal. Resources the batch already handled still report <c>changed</c>: their reads answer
/// the pre-run state until the engine applies them, which then only confirms.
/// </summary>
internal sealed class PackageRun
{
    private readonly Dictionary<(string Provider, string Name), PackageState?> _states = [];
    private readonly Dictionary<(string Provider, string Name), PackageState?> _beforeBatch = [];
    private readonly HashSet<(string Provider, string Name)> _confirmed = [];
    private readonly HashSet<string> _batchedProviders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removalBatchedProviders = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _lock = new();

    public PackageRun(IReadOnlyList<Resource> resources) => Resources = resources;

    public IReadOnlyList<Resource> Resources { get; }

    public void Remember(string provider, string name, PackageState? state)
    {
        lock (_lock)
        {
            _states[(provider, name)] = state;
        }
    }

    public bool TryRecall(string provider, string name, out PackageState? state)
    {
        lock (_lock)
        {
            var key = (provider, name);
            if (_beforeBatch.TryGetValue(key, out state) && !_confirmed.Contains(key))
            {
                return true;
            }

            return _states.TryGetValue(key, out state);
        }
    }

    public string? CandidateOf(string provider, string name)
    {
        lock (_lock)
        {
            return _states.GetValueOrDefault((provider, name))?.Candidate;
        }
    }

    /// <summary>Installs the run's batch the first time; true when <paramref name="desired"/> was part of it.</summary>
    public async Task<bool> InstallBatchOnceAsync(PackageModule module, IPackageProvider provider, Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        var key = (provider.Name, PackageModule.NameOf(desired));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_batchedProviders.Add(provider.Name))
            {
                await InstallBatchAsync(module, provider, context, cancellationToken).ConfigureAwait(false);
            }

            lock (_lock)
            {
                return _beforeBatch.ContainsKey(key) && _confirmed.Add(key);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes every absent package of the run that is installed, the first time; true when <paramref name="desired"/> was part of it.</summary>
    public async Task<bool> RemoveBatchOnceAsync(PackageModule module, IPackageProvider provider, Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        var key = (provider.Name, PackageModule.NameOf(desired));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_removalBatchedProviders.Add(provider.Name))
            {
                await RunBatchAsync(module, provider, removing: true, context, cancellationToken).ConfigureAwait(false);
            }

            lock (_lock)
            {
                return _beforeBatch.ContainsKey(key) && _confirmed.Add(key);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task InstallBatchAsync(PackageModule module, IPackageProvider provider, ModuleContext context, CancellationToken cancellationToken) =>
        RunBatchAsync(module, provider, removing: false, context, cancellationToken);

    private async Task RunBatchAsync(PackageModule module, IPackageProvider provider, bool removing, ModuleContext context, CancellationToken cancellationToken)
    {
        var ids = Resources.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var batch = new List<(Resource Resource, PackageState? Before)>();
        foreach (var resource in Resources)
        {
            // Audited resources are never changed; resources waiting on something that is not a
            // package of this run (a repository file, say) wait for their own turn.
            if ((resource.Ensure == Ensure.Absent) != removing || resource.Audit || PackageModule.ProviderName(resource) != provider.Name
                || !resource.Requires.Concat(resource.ImplicitRequires).All(ids.Contains)
                || !TryRecall(provider.Name, PackageModule.NameOf(resource), out var before)
                || module.Diff(resource, before).Count == 0)
            {
                continue;
            }

            batch.Add((resource, before));
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            if (removing)
            {
                await provider.RemoveAsync([.. batch.Select(b => PackageModule.NameOf(b.Resource)).Distinct(StringComparer.Ordinal)], context, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await provider.InstallAsync([.. batch.Select(b => PackageModule.RequestFor(b.Resource, b.Before))], context, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // One bad package fails the whole transaction; each resource then retries alone so the
            // report blames the right one.
            return;
        }

        lock (_lock)
        {
            foreach (var (resource, before) in batch)
            {
                _beforeBatch[(provider.Name, PackageModule.NameOf(resource))] = before;
            }
        }

        await PackageModule.RefreshAsync(provider, this, [.. batch.Select(b => PackageModule.NameOf(b.Resource)).Distinct(StringComparer.Ordinal)], context, cancellationToken).ConfigureAwait(false);
    }
}
