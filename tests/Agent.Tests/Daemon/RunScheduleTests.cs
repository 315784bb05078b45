using Colabo.Config.Agent.Daemon.Scheduling;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class RunScheduleTests
{
    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);

    [Fact]
    public void The_splay_is_the_same_for_the_same_name_and_inside_the_interval()
    {
        var first = RunSchedule.SplayOf("web-01.example.org", HalfHour);
        var again = RunSchedule.SplayOf("web-01.example.org", HalfHour);

        Assert.Equal(first, again);
        Assert.InRange(first, TimeSpan.Zero, HalfHour - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void A_fleet_of_neighbouring_names_spreads_over_the_interval()
    {
        var splays = Enumerable.Range(1, 200).Select(i => RunSchedule.SplayOf($"web-{i:000}", HalfHour)).ToList();

        // 30 one-minute buckets: every bucket gets some nodes, none gets a crowd.
        var buckets = splays.GroupBy(s => (int)s.TotalMinutes).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(buckets.Count >= 25, $"only {buckets.Count} of 30 minutes used");
        Assert.True(buckets.Values.Max() <= 20, $"{buckets.Values.Max()} nodes in one minute");
    }

    [Fact]
    public void Runs_fall_on_wall_clock_slots_offset_by_the_splay()
    {
        var schedule = new RunSchedule(HalfHour, TimeSpan.FromMinutes(7));
        var now = new DateTimeOffset(2026, 11, 22, 10, 40, 0, TimeSpan.Zero);

        var next = schedule.NextAfter(now);
        var after = schedule.NextAfter(next);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 11, 7, 0, TimeSpan.Zero), next);
        Assert.Equal(next + HalfHour, after);
    }

    [Fact]
    public void A_restart_does_not_move_the_slot()
    {
        var schedule = RunSchedule.ForNode("db-01", HalfHour);
        var start = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        var slots = Enumerable.Range(0, 10).Select(i => schedule.NextAfter(start + TimeSpan.FromMinutes(3 * i))).Distinct().ToList();

        Assert.All(slots, s => Assert.Equal(schedule.Splay.Ticks, (s - DateTimeOffset.UnixEpoch).Ticks % HalfHour.Ticks));
        Assert.True(slots.Count <= 2);
    }

    [Fact]
    public void Jitter_stays_below_its_bound_and_is_zero_when_disabled()
    {
        var random = new Random(42);

        var jitters = Enumerable.Range(0, 1000).Select(_ => RunSchedule.Jitter(random, TimeSpan.FromSeconds(5))).ToList();

        Assert.All(jitters, j => Assert.InRange(j, TimeSpan.Zero, TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1)));
        Assert.True(jitters.Distinct().Count() > 900);
        Assert.Equal(TimeSpan.Zero, RunSchedule.Jitter(random, TimeSpan.Zero));
    }
}
