using System.Net;

namespace Colabo.Config.Master.Tests.Configuration;

public sealed class MasterOptionsParserTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void Flags_beat_environment_variables_which_beat_the_config_file()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "master.conf");
        File.WriteAllText(file, "# master\ndata-dir: /from/file\nrepo: /repo/from/file\npush-rate: 10\nrun-interval: 2h\n");
        var environment = new Dictionary<string, string> { ["COLABO_MASTER_REPO"] = "/repo/from/env", ["COLABO_MASTER_PUSH_RATE"] = "20" };

        var options = MasterOptionsParser.Parse(["--config", file, "--push-rate", "30", "--listen", "127.0.0.1:0"], environment);

        Assert.Equal("/from/file", options.DataDir);
        Assert.Equal("/repo/from/env", options.Repo);
        Assert.Equal(30, options.PushRate);
        Assert.Equal(TimeSpan.FromHours(2), options.RunInterval);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 0), options.Listen);
    }

    [Fact]
    public void The_config_file_takes_keys_with_underscores_like_the_agents_file()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "master.yaml");
        File.WriteAllText(file, "data_dir: /from/file\nrun_interval: 45m\n");

        var options = MasterOptionsParser.Parse(["--config", file], NoEnvironment);

        Assert.Equal(("/from/file", TimeSpan.FromMinutes(45)), (options.DataDir, options.RunInterval));
    }

    [Fact]
    public void Defaults_match_the_documentation()
    {
        var options = MasterOptionsParser.Parse(["--data-dir", "/d"], NoEnvironment);

        Assert.Equal((new IPEndPoint(IPAddress.Any, 8140), TimeSpan.FromMinutes(30), TimeSpan.FromDays(30), TimeSpan.FromDays(30), 2000d),
            (options.Listen, options.RunInterval, options.Retention, options.NodeCertificateLifetime, options.PushRate));
    }

    [Theory]
    [InlineData(new[] { "--repo", "x" }, "--data-dir DIR is required")]
    [InlineData(new[] { "--data-dir", "/d", "--listen", "8140" }, "must be ADDR:PORT")]
    [InlineData(new[] { "--data-dir", "/d", "--run-interval", "soon" }, "is not a duration")]
    [InlineData(new[] { "--data-dir", "/d", "--colour", "blue" }, "is not a master option")]
    public void Bad_input_is_refused_with_a_clear_message(string[] args, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => MasterOptionsParser.Parse(args, NoEnvironment));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_in_the_config_file_is_named_with_its_line()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "master.conf");
        File.WriteAllText(file, "data-dir: /d\nlisten_port: 8140\n");

        var error = Assert.Throws<ArgumentException>(() => MasterOptionsParser.Parse(["--config", file], NoEnvironment));

        Assert.Contains($"{file}:2:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tracing_logging_actor_and_memory_trim_options_come_from_flags_and_environment_and_bad_values_are_named()
    {
        var environment = new Dictionary<string, string> { ["COLABO_MASTER_OTLP_ENDPOINT"] = "http://collector:4318", ["COLABO_MASTER_LOG_FORMAT"] = "json" };

        var options = MasterOptionsParser.Parse(["--data-dir", "/d", "--otlp-protocol", "grpc", "--actor-idle-timeout", "90s", "--memory-trim-interval", "0s"], environment);
        var defaults = MasterOptionsParser.Parse(["--data-dir", "/d"], NoEnvironment);
        var badUrl = Assert.Throws<ArgumentException>(() => MasterOptionsParser.Parse(["--data-dir", "/d", "--otlp-endpoint", "collector:4318"], NoEnvironment));
        var badFormat = Assert.Throws<ArgumentException>(() => MasterOptionsParser.Parse(["--data-dir", "/d", "--log-format", "xml"], NoEnvironment));

        Assert.Equal((new Uri("http://collector:4318"), "grpc", "json", TimeSpan.FromSeconds(90)), (options.OtlpEndpoint, options.OtlpProtocol, options.LogFormat, options.ActorIdleTimeout));
        Assert.Equal(((Uri?)null, "http/protobuf", "simple", TimeSpan.FromMinutes(10)), (defaults.OtlpEndpoint, defaults.OtlpProtocol, defaults.LogFormat, defaults.ActorIdleTimeout));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMinutes(1)), (options.MemoryTrimInterval, defaults.MemoryTrimInterval));
        Assert.Contains("otlp-endpoint 'collector:4318' must be an http:// or https:// URL", badUrl.Message, StringComparison.Ordinal);
        Assert.Contains("log-format 'xml' must be one of: simple, json", badFormat.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), Colabo.Config.Master.Telemetry.TraceExport.TracesUrl(new Uri("http://collector:4318")));
        Assert.Equal(new Uri("http://collector:4318/custom/traces"), Colabo.Config.Master.Telemetry.TraceExport.TracesUrl(new Uri("http://collector:4318/custom/traces")));
    }
}
