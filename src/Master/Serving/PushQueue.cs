using System.Threading.Channels;
using Colabo.Config.Master.Metrics;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Serving;

/// <summary>
/// Pushes "catalog changed" / "run now" to nodes through a server-side rate limit (events per
/// second), so a fleet-wide deploy never becomes a thundering herd. Events go out through the store's
/// event bus, so the replica holding a node's Watch stream delivers it. The rate limit paces one
/// dispatcher; publishing runs on several lanes (a node always on the same lane, so its events keep
/// their order) because one publish may be a database round trip (PostgreSQL NOTIFY), and one at a
/// time could not reach the rate.
/// </summary>
public sealed class PushQueue : IAsyncDisposable
{
    private const int Lanes = 16;
    private readonly Channel<ClusterEvent> _queue = Channel.CreateUnbounded<ClusterEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<ClusterEvent>[] _lanes;
    private readonly IConfigStore _store;
    private readonly MasterMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly Task _loop;
    private readonly Task[] _publishers;
    private long _pending;

    public PushQueue(IConfigStore store, MasterMetrics metrics, TimeProvider time, double perSecond)
    {
        _store = store;
        _metrics = metrics;
        _time = time;
        _perSecond = perSecond > 0 ? perSecond : 1000;
        _lanes = [.. Enumerable.Range(0, Lanes).Select(_ => Channel.CreateUnbounded<ClusterEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }))];
        _publishers = [.. _lanes.Select(lane => Task.Run(() => PublishAsync(lane.Reader)))];
        _loop = Task.Run(RunAsync);
    }

    public long Pending => Interlocked.Read(ref _pending);

    public void Enqueue(ClusterEvent clusterEvent)
    {
        Interlocked.Increment(ref _pending);
        _queue.Writer.TryWrite(clusterEvent);
    }

    private async Task RunAsync()
    {
        // Token bucket: up to one second's worth in a burst, then paced.
        var tokens = _perSecond;
        var last = _time.GetTimestamp();
        await foreach (var clusterEvent in _queue.Reader.ReadAllAsync())
        {
            var now = _time.GetTimestamp();
            tokens = Math.Min(_perSecond, tokens + _time.GetElapsedTime(last, now).TotalSeconds * _perSecond);
            last = now;
            if (tokens < 1)
            {
                var wait = TimeSpan.FromSeconds((1 - tokens) / _perSecond);
                await Task.Delay(wait, _time);
                tokens = 1;
                last = _time.GetTimestamp();
            }
            tokens -= 1;
            _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(clusterEvent.Node) % Lanes)].Writer.TryWrite(clusterEvent);
        }
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }
    }

    private async Task PublishAsync(ChannelReader<ClusterEvent> lane)
    {
        await foreach (var clusterEvent in lane.ReadAllAsync())
        {
            try
            {
                await _store.Events.PublishAsync(clusterEvent, CancellationToken.None);
                _metrics.Count("colabo_pushes_total", $"kind=\"{clusterEvent.Kind}\"");
            }
#pragma warning disable CA1031 // a failed push is retried by the agent's own schedule; keep the queue alive
            catch (Exception)
#pragma warning restore CA1031
            {
                _metrics.Count("colabo_push_failures_total");
            }
            Interlocked.Decrement(ref _pending);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await Task.WhenAll(_publishers);
    }
}
