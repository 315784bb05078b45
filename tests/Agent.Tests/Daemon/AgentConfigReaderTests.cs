using Colabo.Config.Agent.Daemon.Configuration;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class AgentConfigReaderTests
{
    [Fact]
    public void Every_key_is_read_with_comments_and_quotes()
    {
        var config = AgentConfigReader.Parse(
            """
            # written by cloud-init
            master: https://master.example.org:8140   # the master
            node_name: "web-01.example.org"
            environment: staging
            interval: 15m
            push_jitter: 2s
            ca_fingerprint: 'sha256:ab:cd'
            enrollment_token_file: /run/token
            state_dir: /srv/colabo
            root: /srv/root
            noop: true
            parallelism: 3
            idle_trim: off
            """, "agent.yaml");

        Assert.Equal(new Uri("https://master.example.org:8140"), config.Master);
        Assert.Equal("web-01.example.org", config.NodeName);
        Assert.Equal("staging", config.Environment);
        Assert.Equal(TimeSpan.FromMinutes(15), config.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), config.PushJitter);
        Assert.Equal("sha256:ab:cd", config.CaFingerprint);
        Assert.Equal("/run/token", config.EnrollmentTokenFile);
        Assert.Equal("/srv/colabo", config.StateDir);
        Assert.Equal("/srv/root", config.Root);
        Assert.True(config.Noop);
        Assert.Equal(3, config.Parallelism);
        Assert.False(config.IdleTrim);
    }

    [Fact]
    public void An_empty_file_gives_the_documented_defaults()
    {
        var config = AgentConfigReader.Parse("# nothing\n", "agent.yaml");

        Assert.Null(config.Master);
        Assert.Null(config.Interval); // the master's run interval applies, else 30 minutes
        Assert.Equal("/var/lib/colabo", config.StateDir);
        Assert.Equal("/etc/colabo/enrollment-token", config.EnrollmentTokenFile);
        Assert.Equal("/", config.Root);
        Assert.False(config.Noop);
        Assert.True(config.IdleTrim);
    }

    [Fact]
    public void The_packaged_default_config_parses_and_leaves_the_interval_to_the_master()
    {
        var path = Path.Combine(RepoRoot(), "packaging", "deb", "agent", "agent.yaml");

        var config = AgentConfigReader.Load(path);

        Assert.Null(config.Interval);
    }

    [Theory]
    [InlineData("interval: soon\n", "agent.yaml:1:11: interval:")]
    [InlineData("# c\nmaster: http://plain:80\n", "agent.yaml:2:9: master:")]
    [InlineData("colour: blue\n", "agent.yaml:1:1: unknown key 'colour'")]
    [InlineData("idle_trim: maybe\n", "agent.yaml:1:12: idle_trim: must be true or false")]
    [InlineData("noop: true\nnoop: false\n", "agent.yaml:2:1: 'noop' is given twice")]
    [InlineData("state_dir: relative/dir\n", "agent.yaml:1:12: state_dir: must be an absolute path")]
    [InlineData("master:\n  url: x\n", "agent.yaml:2:1: agent.yaml is a flat mapping")]
    public void A_bad_value_is_reported_with_file_line_and_column(string yaml, string expected)
    {
        var error = Assert.Throws<AgentConfigException>(() => AgentConfigReader.Parse(yaml, "agent.yaml"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Colabo.Config.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }

        return dir;
    }
}
