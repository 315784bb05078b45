using Colabo.Config.Agent.Daemon;
using Colabo.Config.Agent.Daemon.Scheduling;
using Colabo.Config.Agent.Tests.Support;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class RunIntervalTests
{
    [Fact]
    public void Agent_yaml_wins_then_the_master_then_thirty_minutes()
    {
        var local = TimeSpan.FromMinutes(15);
        var master = TimeSpan.FromHours(2);

        Assert.Equal(local, RunInterval.Effective(local, master));
        Assert.Equal(master, RunInterval.Effective(null, master));
        Assert.Equal(TimeSpan.FromMinutes(30), RunInterval.Effective(null, null));
    }

    [Fact]
    public void The_masters_zero_means_the_agents_default_and_tiny_values_are_raised_to_ten_seconds()
    {
        Assert.Null(RunInterval.FromMaster(0));
        Assert.Equal(TimeSpan.FromSeconds(10), RunInterval.FromMaster(1));
        Assert.Equal(TimeSpan.FromHours(1), RunInterval.FromMaster(3600));
    }

    [Fact]
    public void The_masters_interval_is_kept_in_the_state_directory_until_the_master_sends_zero()
    {
        using var dir = new TempDir();
        var state = new AgentState(dir.Path);
        state.EnsureCreated();

        var before = RunInterval.Load(state);
        RunInterval.Store(state, 7200);
        var kept = RunInterval.Load(state);
        RunInterval.Store(state, 0);

        Assert.Null(before);
        Assert.Equal(TimeSpan.FromHours(2), kept);
        Assert.Null(RunInterval.Load(state));
        Assert.False(File.Exists(state.RunIntervalFile));
    }
}
