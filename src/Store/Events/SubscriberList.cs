namespace Colabo.Config.Store;

/// <summary>Copy-on-write list of event handlers; a failing handler never stops the others.</summary>
public sealed class SubscriberList
{
    private readonly object _gate = new();
    private Action<ClusterEvent>[] _handlers = [];

    public IDisposable Add(Action<ClusterEvent> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }
        return new Subscription(this, handler);
    }

    public void Deliver(ClusterEvent clusterEvent)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(clusterEvent);
            }
#pragma warning disable CA1031 // one subscriber's bug must not starve the others
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void Remove(Action<ClusterEvent> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(SubscriberList list, Action<ClusterEvent> handler) : IDisposable
    {
        public void Dispose() => list.Remove(handler);
    }
}
