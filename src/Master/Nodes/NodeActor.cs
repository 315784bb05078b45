using System.Threading.Channels;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Reports;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Nodes;

/// <summary>
/// One node, Orleans-grain style: every state change goes through a single-threaded mailbox; the
/// state (facts, catalog hash, last report summary, last-known resource states) is loaded from the
/// store on first use and written through it. Watch subscribers are held here too.
/// </summary>
public sealed class NodeActor
{
    private readonly Channel<Func<Task>> _mailbox = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IConfigStore _store;
    private readonly CatalogArchive _catalogs;
    private readonly TimeProvider _time;
    private readonly object _watchGate = new();
    private readonly NodeDirectory? _directory;
    private NodeWatch[] _watches = [];
    private long _lastUsedTicks;
    private bool _deactivated;
    private bool _loaded;
    private NodeRecord? _node;

    internal NodeActor(string name, IConfigStore store, CatalogArchive catalogs, TimeProvider time, NodeDirectory? directory = null)
    {
        Name = name;
        _store = store;
        _catalogs = catalogs;
        _time = time;
        _directory = directory;
        Touch();
        // The mailbox loop must not hold on to the activating caller's context (its span, its scope).
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(RunMailboxAsync);
        }
    }

    public string Name { get; }

    public int WatchCount => Volatile.Read(ref _watches).Length;

    /// <summary>The node as stored (null when it is not enrolled).</summary>
    public Task<NodeRecord?> GetAsync(CancellationToken cancellationToken) =>
        AskAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            return _node;
        }, cancellationToken, a => a.GetAsync(cancellationToken));

    /// <summary>Forgets cached state (after an enrollment or a change made elsewhere).</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) =>
        AskAsync(() =>
        {
            _loaded = false;
            return Task.FromResult(true);
        }, cancellationToken, async a =>
        {
            await a.ReloadAsync(cancellationToken);
            return true;
        });

    /// <summary>Records a check-in: facts (when sent), the catalog hash now served, the time.</summary>
    public Task RecordCheckInAsync(string? factsJson, string catalogHash, CancellationToken cancellationToken) =>
        AskAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            if (_node is null)
            {
                return false;
            }
            var now = _time.GetUtcNow();
            // An unchanged check-in within a minute of the last one is not worth a write.
            var worthWriting = factsJson is not null || catalogHash != _node.CatalogHash || _node.LastSeenAt is null || now - _node.LastSeenAt > TimeSpan.FromMinutes(1);
            if (worthWriting)
            {
                await _store.RecordCheckInAsync(Name, factsJson, catalogHash, now, cancellationToken);
            }
            _node = _node with { FactsJson = factsJson ?? _node.FactsJson, CatalogHash = catalogHash, LastSeenAt = now };
            return true;
        }, cancellationToken, async a =>
        {
            await a.RecordCheckInAsync(factsJson, catalogHash, cancellationToken);
            return true;
        });

    /// <summary>Classifies and records a run; a run id already recorded is acknowledged as a duplicate.</summary>
    public Task<ReportAck> IngestAsync(RunReport report, CancellationToken cancellationToken) =>
        AskAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            if (_node is null)
            {
                throw new MasterException(MasterErrorKind.NotFound, $"Node {Name} is not enrolled.");
            }
            // The node's last-known resource states are read for each report (one row) and not kept: at
            // 10,000 nodes a node's next report is thousands of reports away, and states kept meanwhile
            // only die old in the GC (bench/Master.Bench/RESULTS.md, runs 55-60). Read from the store, they
            // also include what another replica recorded.
            var previous = (await _store.GetResourceStatesAsync(Name, cancellationToken)).ToDictionary(s => s.ResourceId, StringComparer.Ordinal);
            var digests = ReportClassifier.NeedsCatalog(report, previous) ? await _catalogs.FindDigestsAsync(report.CatalogHash, cancellationToken) : null;
            var classified = ReportClassifier.Classify(Name, report, digests, previous, _time.GetUtcNow());
            // The states are written only when one differs from the last known one (a converged fleet's
            // reports then cost one run row), and then whole: the run's over the ones before it, which the
            // database stores as they come, with no parse or merge of its own.
            var states = StatesAfter(previous, classified.States);
            // Not the caller's token: once queued, the run may commit even if the agent hangs up (the
            // agent's resend is then a duplicate).
            var saved = await _store.SaveRunAsync(classified.Run, classified.Changes, states, CancellationToken.None);
            if (saved && (_node.LastReportAt is null || _node.LastReportAt <= classified.Run.FinishedAt))
            {
                _node = _node with
                {
                    LastReportAt = classified.Run.FinishedAt,
                    LastRunId = classified.Run.RunId,
                    LastRunState = classified.Run.State,
                    AppliedHash = classified.Run.CatalogHash,
                };
            }
            return new ReportAck { RunId = report.Start.RunId, Duplicate = !saved, OutcomesRecorded = saved ? report.Outcomes.Count : 0 };
        }, cancellationToken, a => a.IngestAsync(report, cancellationToken));

    /// <summary>The node's states after a run (updating <paramref name="previous"/> in place), or none when the run changed none of them.</summary>
    private static List<ResourceStateRecord> StatesAfter(Dictionary<string, ResourceStateRecord> previous, IReadOnlyList<ResourceStateRecord> reported)
    {
        var changed = false;
        foreach (var state in reported)
        {
            if (!previous.TryGetValue(state.ResourceId, out var known) || !SameState(known, state))
            {
                previous[state.ResourceId] = state;
                changed = true;
            }
        }
        return changed ? [.. previous.Values] : [];
    }

    // Field by field rather than comparing copies: this runs for every resource of every report.
    private static bool SameState(ResourceStateRecord a, ResourceStateRecord b) =>
        a.Status == b.Status && a.Message == b.Message && a.LastChangedAt == b.LastChangedAt
        && a.LastChangeClass == b.LastChangeClass && a.DesiredDigest == b.DesiredDigest && a.CatalogHash == b.CatalogHash
        && a.Kind == b.Kind && a.Role == b.Role && a.Node == b.Node && a.ResourceId == b.ResourceId;

    public NodeWatch Watch()
    {
        var watch = new NodeWatch(Unwatch);
        lock (_watchGate)
        {
            if (!_deactivated)
            {
                _watches = [.. _watches, watch];
                Touch();
                return watch;
            }
        }
        return Reactivated().Watch();
    }

    /// <summary>Pushes an event to every open Watch stream of this node.</summary>
    public void Notify(WatchEvent watchEvent, bool endStreams = false)
    {
        foreach (var watch in Volatile.Read(ref _watches))
        {
            watch.Push(watchEvent);
            if (endStreams)
            {
                watch.Complete();
            }
        }
    }

    private void Unwatch(NodeWatch watch)
    {
        lock (_watchGate)
        {
            _watches = [.. _watches.Where(w => w != watch)];
            // The idle period starts when the last stream closes.
            Touch();
        }
    }

    /// <summary>When this actor was last asked something or last lost a Watch stream.</summary>
    internal DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>
    /// Deactivates the actor when it has no Watch stream and was not used for <paramref name="idle"/>:
    /// it leaves the directory, its mailbox ends, and its cached state goes with it. Runs in the
    /// mailbox, so no work is in flight; a caller still holding this instance is forwarded to a fresh
    /// activation, which loads the node from the store.
    /// </summary>
    internal Task<bool> TryDeactivateAsync(TimeSpan idle)
    {
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_mailbox.Writer.TryWrite(() =>
        {
            lock (_watchGate)
            {
                if (_deactivated || _watches.Length > 0 || _time.GetUtcNow() - LastUsed < idle)
                {
                    reply.TrySetResult(false);
                    return Task.CompletedTask;
                }
                _deactivated = true;
            }
            _directory?.Forget(this);
            _mailbox.Writer.TryComplete();
            _node = null;
            reply.TrySetResult(true);
            return Task.CompletedTask;
        }))
        {
            reply.TrySetResult(false);
        }
        return reply.Task;
    }

    private void Touch() => Interlocked.Exchange(ref _lastUsedTicks, _time.GetUtcNow().UtcTicks);

    private NodeActor Reactivated() =>
        _directory?.Get(Name) ?? throw new ObjectDisposedException(nameof(NodeActor), $"The actor of node {Name} was deactivated.");

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            _node = await _store.GetNodeAsync(Name, cancellationToken);
            _loaded = true;
        }
    }

    /// <param name="again">
    /// The same request made to a fresh activation, when this one was deactivated meanwhile; null for work
    /// on this instance's cache only (nothing to do once deactivated: the result is default).
    /// </param>
    private Task<T> AskAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken, Func<NodeActor, Task<T>>? again = null)
    {
        Touch();
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The mailbox loop runs in the context of whoever activated the actor: the caller's span must
        // be the parent of the store writes this work makes, not that first caller's.
        var caller = System.Diagnostics.Activity.Current;
        if (!_mailbox.Writer.TryWrite(async () =>
        {
            System.Diagnostics.Activity.Current = caller;
            if (_deactivated)
            {
                // Queued behind the deactivation: this instance's state is gone; ask the new one.
                Forward(reply, again);
                return;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                reply.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                reply.TrySetResult(await work());
            }
#pragma warning disable CA1031 // the caller gets the exception; the mailbox keeps running
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (e is OperationCanceledException)
                {
                    _loaded = false;
                }
                reply.TrySetException(e);
            }
        }))
        {
            Forward(reply, again);
        }
        return reply.Task;
    }

    private void Forward<T>(TaskCompletionSource<T> reply, Func<NodeActor, Task<T>>? again)
    {
        if (again is null)
        {
            reply.TrySetResult(default!);
            return;
        }
        Task<T> forwarded;
        try
        {
            forwarded = again(Reactivated());
        }
#pragma warning disable CA1031 // the caller gets the exception
        catch (Exception e)
#pragma warning restore CA1031
        {
            reply.TrySetException(e);
            return;
        }
        forwarded.ContinueWith(t =>
        {
            if (t.IsCanceled)
            {
                reply.TrySetCanceled();
            }
            else if (t.Exception is { } failure)
            {
                reply.TrySetException(failure.InnerExceptions);
            }
            else
            {
                reply.TrySetResult(t.Result);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunMailboxAsync()
    {
        await foreach (var work in _mailbox.Reader.ReadAllAsync())
        {
            await work();
        }
    }
}
