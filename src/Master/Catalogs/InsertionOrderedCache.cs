using System.Collections.Concurrent;

namespace Colabo.Config.Master.Catalogs;

/// <summary>
/// A bounded, thread-safe cache by string key that, when full, forgets its oldest entries (by first
/// insertion), an eighth of its capacity at a time. A deploy adds a catalog per node: the previous
/// deploy's catalogs, which no node asks about any more, go first, not an arbitrary mix of old and new.
/// </summary>
internal sealed class InsertionOrderedCache<T>(int capacity)
{
    private readonly ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public int Count => _entries.Count;

    public bool TryGetValue(string key, out T value) => _entries.TryGetValue(key, out value!);

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    /// <summary>Adds or replaces; a replaced entry keeps its place in the order.</summary>
    public void Set(string key, T value)
    {
        if (_entries.TryAdd(key, value))
        {
            _order.Enqueue(key);
        }
        else
        {
            _entries[key] = value;
        }
        if (_entries.Count > capacity)
        {
            // Concurrent callers may both trim: the cache then holds a little less, never more.
            for (var drop = Math.Max(1, capacity / 8); drop > 0 && _order.TryDequeue(out var oldest); drop--)
            {
                _entries.TryRemove(oldest, out _);
            }
        }
    }
}
