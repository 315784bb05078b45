using System.Threading.Channels;
using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Agent.Daemon.Scheduling;
using Colabo.Config.Agent.Tests.Support;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class DaemonLoopTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Harness(RunSchedule schedule, TimeSpan jitter, int seed = 7, DateTimeOffset? renewAt = null)
        {
            Loop = new DaemonLoop(schedule, Clock, new Random(seed), jitter, new DaemonLoop.Actions(
                RunAsync: (request, _) =>
                {
                    OnRun?.Invoke(request);
                    Runs.Writer.TryWrite((Clock.GetUtcNow(), request));
                    return Task.CompletedTask;
                },
                RenewAsync: _ =>
                {
                    Renewals.Writer.TryWrite(Clock.GetUtcNow());
                    RenewAt = Clock.GetUtcNow() + TimeSpan.FromDays(20);
                    return Task.FromResult(RenewAt);
                },
                ConnectedAsync: _ =>
                {
                    Connections.Writer.TryWrite(Clock.GetUtcNow());
                    return Task.CompletedTask;
                },
                RenewAt: () => RenewAt));
            RenewAt = renewAt ?? DateTimeOffset.MaxValue;
        }

        public ManualClock Clock { get; } = new(Ten);

        /// <summary>Called inside each run, on the loop's flow (as the daemon's run action is).</summary>
        public Action<RunRequest>? OnRun { get; set; }

        public DaemonLoop Loop { get; }

        public DateTimeOffset RenewAt { get; private set; }

        public Channel<DaemonTrigger> Triggers { get; } = Channel.CreateUnbounded<DaemonTrigger>();

        public Channel<(DateTimeOffset At, RunRequest Request)> Runs { get; } = Channel.CreateUnbounded<(DateTimeOffset, RunRequest)>();

        public Channel<DateTimeOffset> Renewals { get; } = Channel.CreateUnbounded<DateTimeOffset>();

        public Channel<DateTimeOffset> Connections { get; } = Channel.CreateUnbounded<DateTimeOffset>();

        public Task<string?> Running { get; private set; } = Task.FromResult<string?>(null);

        public void Start(bool runAtStart = false) =>
            Running = Task.Run(() => Loop.RunAsync(Triggers.Reader, RunMode.Enforce, runAtStart, _stop.Token));

        private int _seen;

        /// <summary>Waits until the loop parked on the clock again since the last call.</summary>
        public async Task ParkedAsync()
        {
            await Clock.WaitForArmedAsync(_seen).WaitAsync(Bound);
            _seen = Clock.Armed;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await Running.WaitAsync(Bound);
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_scheduled_run_happens_at_the_nodes_slot_and_not_before()
    {
        await using var h = new Harness(new RunSchedule(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(7)), TimeSpan.FromSeconds(5));
        h.Start();

        await h.ParkedAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False(h.Runs.Reader.TryRead(out _));
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var (at, request) = await h.Runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(Ten.AddMinutes(7), at);
        Assert.Equal("scheduled", request.Reason);
        await h.ParkedAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(Ten.AddMinutes(37), (await h.Runs.Reader.ReadAsync().AsTask().WaitAsync(Bound)).At);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_schedule_changed_during_a_run_moves_the_next_scheduled_run_to_the_new_slot()
    {
        await using var h = new Harness(new RunSchedule(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(7)), TimeSpan.Zero);
        var hourly = new RunSchedule(TimeSpan.FromHours(1), TimeSpan.FromMinutes(20));
        h.OnRun = request =>
        {
            if (request.Reason == "start")
            {
                h.Loop.Reschedule(hourly);
            }
        };
        h.Start(runAtStart: true);
        await h.Runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        await h.ParkedAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(19));
        Assert.False(h.Runs.Reader.TryRead(out _));
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var (at, request) = await h.Runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(Ten.AddMinutes(20), at);
        Assert.Equal("scheduled", request.Reason);
        Assert.Equal(hourly, h.Loop.Schedule);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_at_start_happens_at_once()
    {
        await using var h = new Harness(new RunSchedule(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(7)), TimeSpan.FromSeconds(5));

        h.Start(runAtStart: true);
        var (at, request) = await h.Runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(Ten, at);
        Assert.Equal("start", request.Reason);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_push_runs_after_its_jitter_and_pushes_inside_the_window_make_one_run()
    {
        var jitterBound = TimeSpan.FromSeconds(5);
        var expectedJitter = RunSchedule.Jitter(new Random(7), jitterBound);
        await using var h = new Harness(new RunSchedule(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(7)), jitterBound, seed: 7);
        h.Start();
        await h.ParkedAsync();

        h.Triggers.Writer.TryWrite(DaemonTrigger.RunNow(RunMode.Noop, "admin asked"));
        await h.ParkedAsync();
        h.Triggers.Writer.TryWrite(DaemonTrigger.CatalogChanged("sha256:abc"));
        await h.ParkedAsync();
        h.Clock.Advance(expectedJitter - TimeSpan.FromTicks(1));
        Assert.False(h.Runs.Reader.TryRead(out _));
        h.Clock.Advance(TimeSpan.FromTicks(1));
        var (at, request) = await h.Runs.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(Ten + expectedJitter, at);
        Assert.Equal("run now: admin asked", request.Reason);
        Assert.Equal(RunMode.Enforce, request.Mode);
        await h.ParkedAsync();
        Assert.False(h.Runs.Reader.TryRead(out _));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_certificate_is_renewed_at_its_renewal_time_and_when_the_master_asks()
    {
        var day = TimeSpan.FromDays(1);
        await using var h = new Harness(new RunSchedule(TimeSpan.FromDays(365), TimeSpan.FromDays(300)), TimeSpan.Zero, renewAt: Ten + (20 * day));
        h.Start();

        await h.ParkedAsync();
        h.Clock.Advance(19 * day);
        Assert.False(h.Renewals.Reader.TryRead(out _));
        h.Clock.Advance(day);
        Assert.Equal(Ten + (20 * day), await h.Renewals.Reader.ReadAsync().AsTask().WaitAsync(Bound));
        await h.ParkedAsync();
        h.Triggers.Writer.TryWrite(DaemonTrigger.Renew("CA rotated"));

        Assert.Equal(Ten + (20 * day), await h.Renewals.Reader.ReadAsync().AsTask().WaitAsync(Bound));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_revocation_stops_the_loop_with_its_reason()
    {
        await using var h = new Harness(new RunSchedule(TimeSpan.FromMinutes(30), TimeSpan.Zero), TimeSpan.Zero);
        h.Start();
        await h.ParkedAsync();

        h.Triggers.Writer.TryWrite(DaemonTrigger.Revoked("certificate 0A revoked: decommissioned"));

        Assert.Equal("certificate 0A revoked: decommissioned", await h.Running.WaitAsync(Bound));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_new_connection_resends_the_spool()
    {
        await using var h = new Harness(new RunSchedule(TimeSpan.FromMinutes(30), TimeSpan.Zero), TimeSpan.Zero);
        h.Start();
        await h.ParkedAsync();

        h.Triggers.Writer.TryWrite(DaemonTrigger.Connected);

        Assert.Equal(Ten, await h.Connections.Reader.ReadAsync().AsTask().WaitAsync(Bound));
    }
}
