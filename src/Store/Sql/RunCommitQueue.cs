using System.Threading.Channels;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// Group commit for reports: callers enqueue runs, a writer takes everything pending (up to a
/// row budget) and records it in one transaction, then completes every caller. A caller's task
/// completes only after its batch committed, so an acknowledgement never precedes durability.
/// No artificial delay: a lone run commits at once, and runs arriving during a commit form the next batch.
/// </summary>
internal sealed class RunCommitQueue : IAsyncDisposable
{
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>();
    private readonly Func<IReadOnlyList<RunWrite>, Task<bool[]>> _commit;
    private readonly int _maxRows;
    private readonly Task _writer;

    /// <param name="commit">Records a batch in one transaction; returns, per run, false for a run id already recorded.</param>
    /// <param name="maxRows">Row budget of one batch; a single larger run still forms a batch of its own.</param>
    /// <param name="writers">
    /// Batches in flight at once. One for SQLite (one writer anyway); more where the database's commit
    /// latency (round trips, WAL flush) rather than its work is the limit: a batch fills while another commits.
    /// </param>
    public RunCommitQueue(Func<IReadOnlyList<RunWrite>, Task<bool[]>> commit, int maxRows = 20_000, int writers = 1)
    {
        _commit = commit;
        _maxRows = maxRows;
        _writer = Task.WhenAll(Enumerable.Range(0, Math.Max(1, writers)).Select(_ => Task.Run(WriteLoopAsync)));
    }

    public Task<bool> SaveAsync(RunWrite run, CancellationToken cancellationToken)
    {
        var pending = new Pending(run, cancellationToken);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(RunCommitQueue), "The store is closed; the run was not recorded.");
        }
        return pending.Saved.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking runs and waits until every run already queued is committed or failed.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _pending.Reader;
        Pending? carried = null;
        while (carried is not null || await reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            var rows = 0;
            while (rows < _maxRows && (carried is not null || reader.TryRead(out carried)))
            {
                var next = carried;
                if (batch.Count > 0 && rows + next.Run.Rows > _maxRows)
                {
                    break;
                }
                carried = null;
                if (next.CancellationToken.IsCancellationRequested)
                {
                    // The caller gave up before its batch started: nothing of it is written.
                    next.Saved.TrySetCanceled(next.CancellationToken);
                    continue;
                }
                batch.Add(next);
                rows += next.Run.Rows;
            }
            if (batch.Count > 0)
            {
                await CommitAsync(batch);
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var saved = await _commit([.. batch.Select(p => p.Run)]);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Saved.TrySetResult(saved[i]);
            }
        }
#pragma warning disable CA1031 // every failure goes back to the caller whose run it was
        catch (Exception) when (batch.Count > 1)
        {
            // One bad run (or a deadlock with another replica) must not fail its neighbours:
            // the batch rolled back as a whole, so retry each run in a transaction of its own.
            foreach (var pending in batch)
            {
                await CommitAsync([pending]);
            }
        }
        catch (Exception e)
        {
            batch[0].Saved.TrySetException(e);
        }
#pragma warning restore CA1031
    }

    private sealed class Pending(RunWrite run, CancellationToken cancellationToken)
    {
        public RunWrite Run { get; } = run;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<bool> Saved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
