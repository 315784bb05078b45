namespace Colabo.Config.Store.Postgres;

/// <summary>
/// Reads nodes' last-known resource states in groups: while a read is in flight, the nodes asked for meanwhile
/// wait and go out together in the next one (<c>WHERE node = ANY(...)</c>), at most <see cref="InFlight"/>
/// reads at a time. Every report from a node whose states are not in memory needs them, so at hundreds of
/// reports per second this turns one round trip per report into one per group.
/// </summary>
internal sealed class GroupedStateReader(Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<ResourceStateRecord>>> readMany)
{
    private const int InFlight = 2;
    private const int MaxNodes = 256;

    private readonly Lock _gate = new();
    private readonly List<(string Node, TaskCompletionSource<IReadOnlyList<ResourceStateRecord>> Answer)> _waiting = [];
    private int _running;

    public async Task<IReadOnlyList<ResourceStateRecord>> ReadAsync(string node, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<IReadOnlyList<ResourceStateRecord>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiting.Add((node, answer));
            if (_running < InFlight)
            {
                _running++;
                _ = Task.Run(DrainAsync, CancellationToken.None);
            }
        }
        return await answer.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<(string Node, TaskCompletionSource<IReadOnlyList<ResourceStateRecord>> Answer)> group;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _running--;
                    return;
                }
                var take = Math.Min(MaxNodes, _waiting.Count);
                group = _waiting[..take];
                _waiting.RemoveRange(0, take);
            }
            try
            {
                var rows = await readMany([.. group.Select(g => g.Node).Distinct(StringComparer.Ordinal)], CancellationToken.None);
                var byNode = rows.GroupBy(r => r.Node, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<ResourceStateRecord>)[.. g], StringComparer.Ordinal);
                foreach (var (node, answer) in group)
                {
                    answer.TrySetResult(byNode.TryGetValue(node, out var states) ? states : []);
                }
            }
            catch (Exception e)
            {
                // Whatever went wrong, every caller of this group gets it: none may wait forever.
                foreach (var (_, answer) in group)
                {
                    answer.TrySetException(e);
                }
            }
        }
    }
}
