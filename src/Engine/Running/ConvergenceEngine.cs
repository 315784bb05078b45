using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running.Internal;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Engine.Running;

/// <summary>
/// Converges a catalog: dependency order, independent resources in parallel (bounded), and for each
/// resource read → diff → apply → read → diff. The engine owns noop and audit: a module is never
/// asked to apply then. A failure skips everything that depends on it; the run goes on elsewhere.
/// Level-based: nothing depends on an earlier run.
/// </summary>
public sealed class ConvergenceEngine
{
    private readonly ModuleRegistry _modules;
    private readonly ModuleContext _context;

    public ConvergenceEngine(ModuleRegistry modules, ModuleContext context)
    {
        _modules = modules ?? throw new ArgumentNullException(nameof(modules));
        _context = context ?? throw new ArgumentNullException(nameof(context));
    }

    public async Task<RunReport> RunAsync(Catalog catalog, RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParallelism, 1);
        var time = _context.Time;
        var summary = new RunSummary
        {
            RunId = options.RunId ?? Guid.NewGuid().ToString("N"),
            Mode = options.IsNoop ? RunMode.Noop : RunMode.Enforce,
            CatalogHash = catalog.ContentHash,
            Commit = catalog.Commit,
            StartedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        };

        var graph = ResourceGraph.Build(catalog.Resources);
        var run = new Run(graph, new ResourceConverger(_modules, _context, options), options);
        await PrefetchAsync(graph, cancellationToken);
        await run.ExecuteAsync(cancellationToken);

        var outcomes = run.Outcomes;
        summary.FinishedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        summary.Total = outcomes.Count;
        foreach (var outcome in outcomes)
        {
            switch (outcome.Status)
            {
                case OutcomeStatus.InSync: summary.InSync++; break;
                case OutcomeStatus.Changed: summary.Changed++; break;
                case OutcomeStatus.WouldChange: summary.WouldChange++; break;
                case OutcomeStatus.Failed: summary.Failed++; break;
                case OutcomeStatus.Skipped: summary.Skipped++; break;
                default: break;
            }
        }

        return new RunReport(summary, outcomes);
    }

    /// <summary>The outcomes of a run as they complete; the summary is left to the caller.</summary>
    public async IAsyncEnumerable<ResourceOutcome> StreamAsync(Catalog catalog, RunOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var channel = Channel.CreateUnbounded<ResourceOutcome>(new UnboundedChannelOptions { SingleReader = true });
        var streaming = options with
        {
            OnOutcome = async (outcome, ct) =>
            {
                if (options.OnOutcome is { } inner)
                {
                    await inner(outcome, ct);
                }

                await channel.Writer.WriteAsync(outcome, ct);
            },
        };
        var running = RunAsync(catalog, streaming, cancellationToken);
        _ = running.ContinueWith(t => channel.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        await foreach (var outcome in channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return outcome;
        }

        await running;
    }

    private async Task PrefetchAsync(ResourceGraph graph, CancellationToken cancellationToken)
    {
        foreach (var module in _modules.Modules)
        {
            if (module is not IPrefetching prefetching)
            {
                continue;
            }

            var nodes = graph.Nodes.Where(n => n.Resource.Kind == module.Kind && n.Problem is null && n.Settled is null).ToList();
            if (nodes.Count == 0)
            {
                continue;
            }

            try
            {
                await prefetching.PrefetchAsync([.. nodes.Select(n => n.Resource)], _context, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var node in nodes)
                {
                    node.Problem = $"reading all '{module.Kind}' resources failed: {e.Message}";
                }
            }
        }
    }

    /// <summary>The scheduler of one run: Kahn's algorithm fed to a bounded set of workers.</summary>
    private sealed class Run
    {
        private readonly ResourceGraph _graph;
        private readonly ResourceConverger _converger;
        private readonly RunOptions _options;
        private readonly ResourceOutcome?[] _outcomes;
        private readonly int[] _remaining;
        private readonly int?[] _blockedBy;
        private readonly bool[] _notifiedByChange;
        private readonly bool[] _notifiedByPendingChange;
        private readonly Channel<int> _ready = Channel.CreateUnbounded<int>();
        private readonly Lock _lock = new();
        private readonly SemaphoreSlim _reporting = new(1, 1);
        private int _pending;

        public Run(ResourceGraph graph, ResourceConverger converger, RunOptions options)
        {
            _graph = graph;
            _converger = converger;
            _options = options;
            var count = graph.Nodes.Length;
            _outcomes = new ResourceOutcome?[count];
            _remaining = new int[count];
            _blockedBy = new int?[count];
            _notifiedByChange = new bool[count];
            _notifiedByPendingChange = new bool[count];
        }

        public IReadOnlyList<ResourceOutcome> Outcomes => [.. _outcomes.Select(o => o!)];

        public async Task ExecuteAsync(CancellationToken cancellationToken)
        {
            foreach (var node in _graph.Nodes)
            {
                if (node.Settled is { } settled)
                {
                    var outcome = _converger.Settled(node.Resource, settled.Status, settled.Message);
                    _outcomes[node.Index] = outcome;
                    await ReportAsync(outcome, cancellationToken);
                }
                else
                {
                    _remaining[node.Index] = node.Dependencies.Count;
                    _pending++;
                }
            }

            if (_pending == 0)
            {
                return;
            }

            foreach (var node in _graph.Nodes)
            {
                if (node.Settled is null && node.Dependencies.Count == 0)
                {
                    _ready.Writer.TryWrite(node.Index);
                }
            }

            var workers = Enumerable.Range(0, Math.Min(_options.MaxParallelism, _pending))
                .Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None));
            await Task.WhenAll(workers);
        }

        private async Task WorkAsync(CancellationToken cancellationToken)
        {
            // Workers drain the queue even after cancellation so every resource gets its outcome.
            try
            {
                await foreach (var index in _ready.Reader.ReadAllAsync(CancellationToken.None))
                {
                    await StepAsync(index, cancellationToken);
                }
            }
            catch (Exception e)
            {
                // A broken outcome sink (or a bug) must end the run, not leave the other workers waiting.
                _ready.Writer.TryComplete(e);
                throw;
            }
        }

        private async Task StepAsync(int index, CancellationToken cancellationToken)
        {
            {
                var node = _graph.Nodes[index];
                var input = new ResourceConverger.Input(
                    node.Resource,
                    node.Problem,
                    _blockedBy[index] is { } blocker ? _outcomes[blocker] : null,
                    node.Notifiers.Count == 0 ? null : NotifierIds(node, changed: true),
                    node.Notifiers.Count == 0 ? null : NotifierIds(node, changed: false));
                var outcome = await _converger.ConvergeAsync(input, cancellationToken);
                await ReportAsync(outcome, cancellationToken);
                Complete(index, outcome);
            }
        }

        private string? NotifierIds(ResourceGraph.Node node, bool changed)
        {
            if (!(changed ? _notifiedByChange : _notifiedByPendingChange)[node.Index])
            {
                return null;
            }

            var wanted = changed ? OutcomeStatus.Changed : OutcomeStatus.WouldChange;
            return string.Join(", ", node.Notifiers.Where(n => _outcomes[n]?.Status == wanted).Select(n => _graph.Nodes[n].Resource.Id));
        }

        private void Complete(int index, ResourceOutcome outcome)
        {
            lock (_lock)
            {
                _outcomes[index] = outcome;
                var node = _graph.Nodes[index];
                var blocks = outcome.Status is OutcomeStatus.Failed or OutcomeStatus.Skipped;
                foreach (var dependent in node.Dependents)
                {
                    if (blocks)
                    {
                        _blockedBy[dependent] ??= index;
                    }

                    if (node.Resource.Notify.Count > 0 && _graph.Nodes[dependent].Notifiers.Contains(index))
                    {
                        if (outcome.Status == OutcomeStatus.Changed)
                        {
                            _notifiedByChange[dependent] = true;
                        }
                        else if (outcome.Status == OutcomeStatus.WouldChange)
                        {
                            _notifiedByPendingChange[dependent] = true;
                        }
                    }

                    if (--_remaining[dependent] == 0)
                    {
                        _ready.Writer.TryWrite(dependent);
                    }
                }

                if (--_pending == 0)
                {
                    _ready.Writer.TryComplete();
                }
            }
        }

        private async Task ReportAsync(ResourceOutcome outcome, CancellationToken cancellationToken)
        {
            if (_options.OnOutcome is not { } report)
            {
                return;
            }

            await _reporting.WaitAsync(CancellationToken.None);
            try
            {
                await report(outcome, cancellationToken);
            }
            finally
            {
                _reporting.Release();
            }
        }
    }
}
