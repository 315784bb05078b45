using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Colabo.Config.Master;

/// <summary>
/// The memory pool of the master's sockets: 4 KiB blocks, of which at most <c>maxIdle</c> are kept for reuse;
/// a block returned beyond that is left to the GC. Kestrel's own pool keeps every block it ever handed out
/// and gives back 1 % every 10 seconds while any traffic goes on (10,000 agents' keep-alive pings and Watch
/// heartbeats always are): after a deploy pushed to 10,000 Watch streams and a burst of reports, 10,260 idle
/// blocks (40 MiB) were still pooled two minutes later. The blocks are ordinary arrays, not pinned-heap ones:
/// the pinned heap does not compact, so the blocks let go left it fragmented (measured: worse than keeping
/// them). A socket operation pins its block only while it runs; an idle connection holds none (Kestrel
/// waits for data before it takes a receive buffer).
/// </summary>
internal sealed class BoundedBlockMemoryPool(int maxIdle) : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _idle = new();
    private int _idleCount;
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now.</summary>
    public int IdleCount => Volatile.Read(ref _idleCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
            return block;
        }
        return new Block(this);
    }

    private void Return(Block block)
    {
        if (_disposed)
        {
            return;
        }
        if (Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }
        _idle.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        while (_idle.TryDequeue(out _))
        {
        }
        Volatile.Write(ref _idleCount, 0);
    }

    private sealed class Block(BoundedBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = GC.AllocateUninitializedArray<byte>(BlockSize);

        public void Dispose() => pool.Return(this);
    }

    /// <summary>Makes the pools of the socket transport (one per I/O queue).</summary>
    public sealed class Factory(int maxIdle) : IMemoryPoolFactory<byte>
    {
        private readonly ConcurrentBag<BoundedBlockMemoryPool> _pools = [];

        /// <summary>Idle blocks across every pool made (the <c>colabo_socket_pool_idle_blocks</c> gauge).</summary>
        public long IdleBlocks => _pools.Sum(p => (long)p.IdleCount);

        public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
        {
            var pool = new BoundedBlockMemoryPool(maxIdle);
            _pools.Add(pool);
            return pool;
        }
    }
}
