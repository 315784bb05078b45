using System.Collections.Concurrent;

namespace Colabo.Config.Master.Dashboard;

/// <summary>
/// Remembers computed answers (change-log counts) by key: fresh for <c>maxAge</c>; then, up to
/// <c>maxStale</c>, still answered at once while one recomputation runs in the background
/// (stale-while-revalidate); older than that, the caller waits for a new one. Bounded by <c>capacity</c>.
/// </summary>
internal sealed class AnswerCache<T>(TimeProvider time, TimeSpan maxAge, TimeSpan maxStale, int capacity = 256)
    where T : class
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public Task<T> GetAsync(string key, Func<Task<T>> compute)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (!entry.Answer.IsCompleted)
            {
                return entry.Answer;
            }
            var age = time.GetElapsedTime(entry.At);
            if (entry.Answer.IsCompletedSuccessfully && age < maxStale)
            {
                if (age >= maxAge && Interlocked.CompareExchange(ref entry.Refreshing, 1, 0) == 0)
                {
                    // On the thread pool: the caller is answered with the stale value now, not after SQLite's synchronous "async" read.
                    _ = Task.Run(() => RefreshAsync(key, compute));
                }
                return entry.Answer;
            }
        }
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }
        var fresh = new Entry(compute(), time.GetTimestamp());
        _entries[key] = fresh;
        return fresh.Answer;
    }

    private async Task RefreshAsync(string key, Func<Task<T>> compute)
    {
        var answer = compute();
        try
        {
            await answer;
            _entries[key] = new Entry(answer, time.GetTimestamp());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Keep serving the previous answer until it is too stale; the next request retries.
            _entries.TryRemove(key, out _);
        }
    }

    private sealed class Entry(Task<T> answer, long at)
    {
        public int Refreshing;

        public Task<T> Answer { get; } = answer;

        public long At { get; } = at;
    }
}
