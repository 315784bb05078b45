using System.Collections.Concurrent;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Store;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Nodes;

/// <summary>
/// Activates node actors on demand (one per node per replica) and routes cluster events from the
/// store (this replica's and every other replica's) to the Watch streams of the nodes they name.
/// </summary>
public sealed class NodeDirectory : IDisposable
{
    private readonly ConcurrentDictionary<string, NodeActor> _actors = new(StringComparer.Ordinal);
    private readonly IConfigStore _store;
    private readonly CatalogArchive _catalogs;
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private readonly ConcurrentQueue<NodeActor> _holdingResources = new();
    private readonly int _resourceHolders;

    /// <param name="resourceHolders">How many actors may keep their last-known resource states in memory at once.</param>
    public NodeDirectory(IConfigStore store, CatalogArchive catalogs, TimeProvider time, int resourceHolders = 2048)
    {
        _resourceHolders = resourceHolders;
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _catalogs = catalogs;
        _time = time;
        _subscription = store.Events.Subscribe(Route);
    }

    /// <summary>Raised for "catalog changed" events naming all nodes ("*"); the publisher decides who is affected.</summary>
    public event Action<ClusterEvent>? FleetEvent;

    public NodeActor Get(string name) => _actors.GetOrAdd(name, n => new NodeActor(n, _store, _catalogs, _time, ResourcesLoaded));

    private void ResourcesLoaded(NodeActor actor)
    {
        _holdingResources.Enqueue(actor);
        while (_holdingResources.Count > _resourceHolders && _holdingResources.TryDequeue(out var oldest))
        {
            if (oldest != actor)
            {
                oldest.ForgetResources();
            }
        }
    }

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

    public void Dispose() => _subscription.Dispose();
}
