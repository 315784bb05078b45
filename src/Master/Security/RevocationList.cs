using System.Collections.Concurrent;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Security;

/// <summary>
/// Revoked certificate serials, in memory for the per-handshake and per-call check, loaded from the
/// store at start and kept current on every replica by the store's "revoked" events.
/// </summary>
public sealed class RevocationList : IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable _subscription;

    private RevocationList(IConfigStore store)
    {
        _subscription = store.Events.Subscribe(e =>
        {
            if (e.Kind == ClusterEvent.Revoked && e.Payload.Length > 0)
            {
                _revoked[e.Payload] = true;
            }
        });
    }

    public static async Task<RevocationList> LoadAsync(IConfigStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new RevocationList(store);
        foreach (var serial in await store.ListRevokedSerialsAsync(cancellationToken))
        {
            list._revoked[serial] = true;
        }
        return list;
    }

    public bool IsRevoked(string serial) => _revoked.ContainsKey(serial);

    /// <summary>Marks a serial revoked here at once (the event reaches the other replicas).</summary>
    public void Add(string serial) => _revoked[serial] = true;

    public void Dispose() => _subscription.Dispose();
}
