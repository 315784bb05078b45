using System.Threading.Channels;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Daemon.Scheduling;

/// <summary>
/// The daemon's clock work, apart from I/O so it can be driven by a fake TimeProvider: scheduled
/// runs on the node's wall-clock slot, pushed runs after a jitter (several pushes inside one jitter
/// window make one run), renewal at 2/3 of the certificate lifetime or when asked, stop on revocation.
/// </summary>
public sealed class DaemonLoop(RunSchedule schedule, TimeProvider time, Random random, TimeSpan pushJitter, DaemonLoop.Actions actions)
{
    public sealed record Actions(
        Func<RunRequest, CancellationToken, Task> RunAsync,
        Func<CancellationToken, Task<DateTimeOffset>> RenewAsync,
        Func<CancellationToken, Task> ConnectedAsync,
        Func<DateTimeOffset> RenewAt);

    public static readonly TimeSpan RenewRetry = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private RunSchedule _schedule = schedule;
    private bool _rescheduled;

    /// <summary>The schedule in force.</summary>
    public RunSchedule Schedule => _schedule;

    /// <summary>
    /// Switches to another schedule (the master changed the run interval); the next scheduled run moves
    /// to the new schedule's first slot after now. Call it from one of the actions (the loop's flow).
    /// </summary>
    public void Reschedule(RunSchedule next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (next != _schedule)
        {
            _schedule = next;
            _rescheduled = true;
        }
    }

    /// <summary>Runs until cancelled (returns null) or revoked (returns the reason).</summary>
    public async Task<string?> RunAsync(ChannelReader<DaemonTrigger> triggers, RunMode scheduledMode, bool runAtStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        var nextScheduled = _schedule.NextAfter(time.GetUtcNow());
        DateTimeOffset? pushedAt = runAtStart ? time.GetUtcNow() : null;
        var pushedMode = scheduledMode;
        var pushedReason = "start";
        var renewAt = actions.RenewAt();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (_rescheduled)
            {
                _rescheduled = false;
                nextScheduled = _schedule.NextAfter(now);
            }

            if (renewAt <= now)
            {
                renewAt = await RenewSafelyAsync(cancellationToken);
                continue;
            }

            if (pushedAt is { } due && due <= now)
            {
                pushedAt = null;
                await actions.RunAsync(new RunRequest(pushedMode, pushedReason), cancellationToken);
                continue;
            }

            if (nextScheduled <= now)
            {
                nextScheduled = _schedule.NextAfter(now);
                await actions.RunAsync(new RunRequest(scheduledMode, "scheduled"), cancellationToken);
                continue;
            }

            var deadline = Min(Min(nextScheduled, renewAt), pushedAt ?? DateTimeOffset.MaxValue);
            if (await WaitAsync(triggers, deadline - now, cancellationToken) is not { } trigger)
            {
                continue;
            }

            switch (trigger.Kind)
            {
                case DaemonTriggerKind.Revoked:
                    return trigger.Reason;
                case DaemonTriggerKind.Renew:
                    renewAt = time.GetUtcNow();
                    break;
                case DaemonTriggerKind.Connected:
                    await actions.ConnectedAsync(cancellationToken);
                    break;
                case DaemonTriggerKind.Run:
                    if (pushedAt is null)
                    {
                        pushedAt = time.GetUtcNow() + RunSchedule.Jitter(random, pushJitter);
                        pushedMode = trigger.Mode;
                        pushedReason = trigger.Reason;
                    }
                    else if (trigger.Mode == RunMode.Enforce)
                    {
                        // Folded into the run already pending; enforce wins over noop.
                        pushedMode = RunMode.Enforce;
                    }

                    break;
            }
        }

        return null;
    }

    private async Task<DateTimeOffset> RenewSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await actions.RenewAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return time.GetUtcNow() + RenewRetry;
        }
    }

    private async Task<DaemonTrigger?> WaitAsync(ChannelReader<DaemonTrigger> triggers, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (triggers.TryRead(out var ready))
        {
            return ready;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Timers cannot wait longer than ~49 days; waking up early just re-evaluates the deadlines.
        var timer = Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxWait ? MaxWait : delay, time, wait.Token);
        var read = triggers.WaitToReadAsync(wait.Token).AsTask();
        await Task.WhenAny(timer, read);
        await wait.CancelAsync();
        try
        {
            await Task.WhenAll(timer, read);
        }
        catch (OperationCanceledException)
        {
        }

        cancellationToken.ThrowIfCancellationRequested();
        return triggers.TryRead(out var trigger) ? trigger : null;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
