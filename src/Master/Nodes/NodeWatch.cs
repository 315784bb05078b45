using System.Threading.Channels;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Nodes;

/// <summary>
/// One open Watch stream of a node. Bounded: a stalled agent loses the oldest events, never the
/// master's memory (events are level-based hints; the agent converges to the latest state anyway).
/// </summary>
public sealed class NodeWatch : IDisposable
{
    private readonly Channel<WatchEvent> _events = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(16)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });
    private readonly Action<NodeWatch> _onDispose;

    internal NodeWatch(Action<NodeWatch> onDispose) => _onDispose = onDispose;

    public ChannelReader<WatchEvent> Events => _events.Reader;

    internal void Push(WatchEvent watchEvent) => _events.Writer.TryWrite(watchEvent);

    /// <summary>Ends the stream after the events already queued (e.g. after "revoked").</summary>
    internal void Complete() => _events.Writer.TryComplete();

    public void Dispose()
    {
        _events.Writer.TryComplete();
        _onDispose(this);
    }
}
