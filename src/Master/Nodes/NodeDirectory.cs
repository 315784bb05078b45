using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Store;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Nodes;

/// <summary>
/// Activates node actors on demand (one per node per replica), deactivates the idle ones (no Watch
/// stream, unused for the idle timeout), and routes cluster events from the store (this replica's and
/// every other replica's) to the Watch streams of the nodes they name.
/// </summary>
public sealed class NodeDirectory : IDisposable
{
    /// <summary>A cluster event asking a node to renew its certificate now (payload: the reason).</summary>
    public const string RenewCertificate = "renew-certificate";

    private readonly ConcurrentDictionary<string, NodeActor> _actors = new(StringComparer.Ordinal);
    private readonly IConfigStore _store;
    private readonly CatalogArchive _catalogs;
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer? _sweeper;
    private long _deactivations;

    /// <param name="idleTimeout">Deactivate actors unused this long with no Watch stream; zero or less never does.</param>
    public NodeDirectory(IConfigStore store, CatalogArchive catalogs, TimeProvider time, TimeSpan? idleTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _catalogs = catalogs;
        _time = time;
        _idleTimeout = idleTimeout ?? TimeSpan.FromMinutes(10);
        _subscription = store.Events.Subscribe(Route);
        if (_idleTimeout > TimeSpan.Zero)
        {
            var period = _idleTimeout < TimeSpan.FromMinutes(1) ? _idleTimeout : TimeSpan.FromMinutes(1);
            _sweeper = time.CreateTimer(_ => _ = DeactivateIdleAsync(), null, period, period);
        }
    }

    /// <summary>Actors in memory on this replica.</summary>
    public int ActiveCount => _actors.Count;

    /// <summary>Actors deactivated since start.</summary>
    public long Deactivations => Interlocked.Read(ref _deactivations);

    /// <summary>Deactivates every actor idle for the idle timeout with no Watch stream; returns how many.</summary>
    public async Task<int> DeactivateIdleAsync()
    {
        if (_idleTimeout <= TimeSpan.Zero)
        {
            return 0;
        }
        var now = _time.GetUtcNow();
        var candidates = _actors.Values.Where(a => a.WatchCount == 0 && now - a.LastUsed >= _idleTimeout).ToList();
        var done = await Task.WhenAll(candidates.Select(a => a.TryDeactivateAsync(_idleTimeout)));
        var count = done.Count(d => d);
        Interlocked.Add(ref _deactivations, count);
        return count;
    }

    internal void Forget(NodeActor actor) => _actors.TryRemove(new KeyValuePair<string, NodeActor>(actor.Name, actor));

    /// <summary>Raised for "catalog changed" events naming all nodes ("*"); the publisher decides who is affected.</summary>
    public event Action<ClusterEvent>? FleetEvent;

    public NodeActor Get(string name) =>
        _actors.GetOrAdd(name, static (n, directory) => new NodeActor(n, directory._store, directory._catalogs, directory._time, directory), this);

    public NodeActor? Find(string name) => _actors.GetValueOrDefault(name);

    /// <summary>Nodes with at least one open Watch stream on this replica.</summary>
    public IEnumerable<NodeActor> Connected => _actors.Values.Where(a => a.WatchCount > 0);

    public int ConnectedCount => _actors.Values.Count(a => a.WatchCount > 0);

    private void Route(ClusterEvent clusterEvent)
    {
        if (clusterEvent.Node == "*")
        {
            if (clusterEvent.Kind == ClusterEvent.RunNow)
            {
                foreach (var actor in _actors.Values)
                {
                    actor.Notify(ToWatchEvent(clusterEvent));
                }
            }
            else
            {
                FleetEvent?.Invoke(clusterEvent);
            }
            return;
        }
        if (!_actors.TryGetValue(clusterEvent.Node, out var target))
        {
            return;
        }
        switch (clusterEvent.Kind)
        {
            case ClusterEvent.Revoked:
                target.Notify(ToWatchEvent(clusterEvent), endStreams: true);
                break;
            case ClusterEvent.CatalogChanged:
                _ = target.ReloadAsync(CancellationToken.None);
                target.Notify(ToWatchEvent(clusterEvent));
                break;
            case ClusterEvent.RunNow:
            case RenewCertificate:
                target.Notify(ToWatchEvent(clusterEvent));
                break;
            default:
                break;
        }
    }

    private WatchEvent ToWatchEvent(ClusterEvent clusterEvent)
    {
        var watchEvent = new WatchEvent
        {
            EventId = Guid.NewGuid().ToString("N"),
            At = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        };
        switch (clusterEvent.Kind)
        {
            case ClusterEvent.Revoked:
                watchEvent.Revoked = new CertificateRevoked { Serial = clusterEvent.Payload, Reason = "certificate revoked" };
                break;
            case ClusterEvent.CatalogChanged:
                var parts = clusterEvent.Payload.Split(' ', 2);
                watchEvent.CatalogChanged = new CatalogChanged { CatalogHash = parts[0], Commit = parts.Length > 1 ? parts[1] : "" };
                break;
            case RenewCertificate:
                watchEvent.RenewCertificate = new RenewCertificateNow { Reason = clusterEvent.Payload };
                break;
            default:
                watchEvent.RunNow = new RunNow
                {
                    Mode = clusterEvent.Payload == "noop" ? RunMode.Noop : RunMode.Enforce,
                    Reason = "requested by an admin",
                };
                break;
        }
        return watchEvent;
    }

    public void Dispose()
    {
        _sweeper?.Dispose();
        _subscription.Dispose();
    }
}
