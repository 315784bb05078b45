namespace Colabo.Config.Store;

/// <summary>Fans events out to every replica sharing the store (in-process for SQLite, LISTEN/NOTIFY for PostgreSQL).</summary>
public interface IEventBus
{
    Task PublishAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken);

    /// <summary>Handlers run on a background thread and must not block; dispose to unsubscribe.</summary>
    IDisposable Subscribe(Action<ClusterEvent> handler);
}
