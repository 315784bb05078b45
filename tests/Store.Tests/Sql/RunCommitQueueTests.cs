using Colabo.Config.Store.Sql;

namespace Colabo.Config.Store.Tests.Sql;

/// <summary>
/// The group-commit queue against a scripted commit: the first batch is held at a barrier so that
/// what queues up meanwhile is known exactly. (Real databases: the conformance suite.)
/// </summary>
public sealed class RunCommitQueueTests
{
    private readonly List<string[]> _batches = [];
    private readonly TaskCompletionSource _firstBatchEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseFirstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<bool[]> CommitAsync(IReadOnlyList<RunWrite> runs)
    {
        int number;
        lock (_batches)
        {
            _batches.Add([.. runs.Select(r => r.Run.RunId)]);
            number = _batches.Count;
        }
        if (number == 1)
        {
            _firstBatchEntered.TrySetResult();
            await _releaseFirstBatch.Task;
        }
        if (runs.Count > 1 && runs.Any(r => r.Run.RunId == "bad"))
        {
            throw new InvalidOperationException("the batch rolled back");
        }
        return [.. runs.Select(r => r.Run.RunId switch
        {
            "bad" => throw new InvalidOperationException("this run cannot be stored"),
            "known" => false,
            _ => true,
        })];
    }

    private static RunWrite Write(string runId, int states = 0) => new(
        new RunRecord { Node = "web-1", RunId = runId },
        [],
        [.. Enumerable.Range(0, states).Select(i => new ResourceStateRecord { Node = "web-1", ResourceId = $"file:/{i}" })]);

    [Fact(Timeout = 10_000)]
    public async Task A_caller_is_answered_only_after_its_batch_committed()
    {
        await using var queue = new RunCommitQueue(CommitAsync);

        var saved = queue.SaveAsync(Write("r1"), CancellationToken.None);
        await _firstBatchEntered.Task;

        Assert.False(saved.IsCompleted);
        _releaseFirstBatch.SetResult();
        Assert.True(await saved);
    }

    [Fact(Timeout = 10_000)]
    public async Task Runs_that_arrive_during_a_commit_are_committed_together_in_the_next_batch()
    {
        await using var queue = new RunCommitQueue(CommitAsync);
        var first = queue.SaveAsync(Write("r0"), CancellationToken.None);
        await _firstBatchEntered.Task;

        var queued = Enumerable.Range(1, 10).Select(i => queue.SaveAsync(Write($"r{i}"), CancellationToken.None)).ToList();
        _releaseFirstBatch.SetResult();
        await Task.WhenAll([first, .. queued]);

        Assert.Equal([["r0"], [.. Enumerable.Range(1, 10).Select(i => $"r{i}")]], _batches);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_run_already_recorded_is_answered_false()
    {
        _releaseFirstBatch.SetResult();
        await using var queue = new RunCommitQueue(CommitAsync);

        Assert.False(await queue.SaveAsync(Write("known"), CancellationToken.None));
    }

    [Fact(Timeout = 10_000)]
    public async Task When_a_batch_fails_each_run_is_retried_alone_so_only_the_bad_run_fails()
    {
        await using var queue = new RunCommitQueue(CommitAsync);
        var first = queue.SaveAsync(Write("r0"), CancellationToken.None);
        await _firstBatchEntered.Task;

        var good1 = queue.SaveAsync(Write("good1"), CancellationToken.None);
        var bad = queue.SaveAsync(Write("bad"), CancellationToken.None);
        var good2 = queue.SaveAsync(Write("good2"), CancellationToken.None);
        _releaseFirstBatch.SetResult();

        Assert.True(await first);
        Assert.True(await good1);
        Assert.True(await good2);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("this run cannot be stored", error.Message);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_caller_that_gave_up_before_its_batch_started_has_nothing_written()
    {
        await using var queue = new RunCommitQueue(CommitAsync);
        var first = queue.SaveAsync(Write("r0"), CancellationToken.None);
        await _firstBatchEntered.Task;
        using var leaving = new CancellationTokenSource();

        var abandoned = queue.SaveAsync(Write("abandoned"), leaving.Token);
        var kept = queue.SaveAsync(Write("kept"), CancellationToken.None);
        await leaving.CancelAsync();
        _releaseFirstBatch.SetResult();
        await Task.WhenAll(first, kept);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.DoesNotContain("abandoned", _batches.SelectMany(b => b));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_batch_stops_at_its_row_budget()
    {
        await using var queue = new RunCommitQueue(CommitAsync, maxRows: 10);
        var first = queue.SaveAsync(Write("r0"), CancellationToken.None);
        await _firstBatchEntered.Task;

        // Four rows each (the run and three states): two fit in a budget of ten, the third does not.
        var queued = Enumerable.Range(1, 5).Select(i => queue.SaveAsync(Write($"r{i}", states: 3), CancellationToken.None)).ToList();
        _releaseFirstBatch.SetResult();
        await Task.WhenAll([first, .. queued]);

        Assert.Equal([["r0"], ["r1", "r2"], ["r3", "r4"], ["r5"]], _batches);
    }

    [Fact(Timeout = 10_000)]
    public async Task Closing_the_queue_commits_every_run_already_queued()
    {
        var queue = new RunCommitQueue(CommitAsync);
        var first = queue.SaveAsync(Write("r0"), CancellationToken.None);
        await _firstBatchEntered.Task;
        var queued = Enumerable.Range(1, 3).Select(i => queue.SaveAsync(Write($"r{i}"), CancellationToken.None)).ToList();

        var closing = queue.DisposeAsync().AsTask();
        _releaseFirstBatch.SetResult();
        await closing;

        Assert.True(first.IsCompletedSuccessfully);
        Assert.All(queued, q => Assert.True(q.IsCompletedSuccessfully));
        Assert.Throws<ObjectDisposedException>(() => { _ = queue.SaveAsync(Write("late"), CancellationToken.None); });
    }

    [Fact(Timeout = 10_000)]
    public async Task With_two_writers_a_second_batch_commits_while_the_first_is_still_committing()
    {
        await using var queue = new RunCommitQueue(CommitAsync, writers: 2);
        var first = queue.SaveAsync(Write("r0"), CancellationToken.None);
        await _firstBatchEntered.Task;

        var second = queue.SaveAsync(Write("r1"), CancellationToken.None);

        Assert.True(await second);
        Assert.False(first.IsCompleted);
        _releaseFirstBatch.SetResult();
        Assert.True(await first);
    }
}
