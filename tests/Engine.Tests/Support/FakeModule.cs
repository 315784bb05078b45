using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Engine.Tests.Support;

/// <summary>
/// An in-memory module for engine tests: resource "fake:NAME" wants <see cref="Wanted"/>[NAME]
/// (default "on"); the "host" is a dictionary. Every call is recorded in order. A wanted value of
/// <see cref="Generated"/> means "present, with a value only the apply knows" (like an image id).
/// </summary>
internal sealed class FakeModule : IResourceModule<string>, IRefreshable, IPrefetching, IResolvesChanges
{
    public const string Generated = "*generated*";

    public string Kind => "fake";

    public ConcurrentDictionary<string, string> Host { get; } = new();

    public ConcurrentDictionary<string, string> Wanted { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Runs inside ApplyAsync before the host changes; may block or throw.</summary>
    public Func<string, CancellationToken, Task>? OnApply { get; set; }

    /// <summary>Names whose apply "succeeds" without changing anything.</summary>
    public HashSet<string> Stubborn { get; } = [];

    public HashSet<string> Invalid { get; } = [];

    public List<IReadOnlyList<string>> Prefetched { get; } = [];

    public IReadOnlyList<string> Validate(Resource desired) => Invalid.Contains(desired.Name) ? [$"{desired.Name} is invalid"] : [];

    public Task PrefetchAsync(IReadOnlyList<Resource> resources, ModuleContext context, CancellationToken cancellationToken)
    {
        Calls.Enqueue("prefetch");
        Prefetched.Add([.. resources.Select(r => r.Name)]);
        return Task.CompletedTask;
    }

    public Task<string?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        Calls.Enqueue("read:" + desired.Name);
        return Task.FromResult(Host.TryGetValue(desired.Name, out var value) ? value : null);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, string? current)
    {
        var wanted = Wanted.GetValueOrDefault(desired.Name, "on");
        if (wanted == Generated)
        {
            return current is null ? [new PropertyDiff("value", null, null)] : [];
        }

        return current == wanted ? [] : [new PropertyDiff("value", current, wanted)];
    }

    public async Task ApplyAsync(Resource desired, string? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        Calls.Enqueue("apply:" + desired.Name);
        if (OnApply is { } hook)
        {
            await hook(desired.Name, cancellationToken);
        }

        if (!Stubborn.Contains(desired.Name))
        {
            var wanted = Wanted.GetValueOrDefault(desired.Name, "on");
            Host[desired.Name] = wanted == Generated ? "made-by-apply-" + desired.Name : wanted;
        }
    }

    public IReadOnlyList<PropertyDiff> Resolve(IReadOnlyList<PropertyDiff> changes, object? after) =>
        [.. changes.Select(c => c.After is null && after is string value ? c with { After = value } : c)];

    public Task<string> RefreshAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        Calls.Enqueue("refresh:" + desired.Name);
        return Task.FromResult("restarted");
    }

    public int IndexOf(string call) => Calls.ToList().IndexOf(call);

    public int Count(string call) => Calls.Count(c => c == call);
}
