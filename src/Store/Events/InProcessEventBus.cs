namespace Colabo.Config.Store;

/// <summary>The event bus of a single replica: delivers each event to local subscribers.</summary>
public sealed class InProcessEventBus : IEventBus
{
    private readonly SubscriberList _subscribers = new();

    public Task PublishAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken)
    {
        _subscribers.Deliver(clusterEvent);
        return Task.CompletedTask;
    }

    public IDisposable Subscribe(Action<ClusterEvent> handler) => _subscribers.Add(handler);
}
