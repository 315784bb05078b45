using System.Text.Json;
using Colabo.Config.Compiler.Compilation;
using Colabo.Config.Compiler.Tests.Support;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Compiler.Tests.Cli;

public class OfflineCommandTests
{
    private static readonly string Examples = TestRepo.ExamplesRoot;
    private static readonly string AppFacts = Path.Combine(Examples, "facts", "app-01.example.com.yaml");
    private static readonly string WebFacts = Path.Combine(Examples, "facts", "web-01.example.com.yaml");

    [Fact(Timeout = 60_000)]
    public async Task Validate_exits_0_for_the_example_repository()
    {
        var run = await CliRunner.RunAsync("validate", Examples);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("valid: 4 roles", run.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_exits_1_and_lists_every_error_as_json()
    {
        using var git = new GitRepo();
        git.CopyFrom(Examples);
        git.Write("roles/web.yaml", File.ReadAllText(Path.Combine(Examples, "roles/web.yaml")).Replace("  - package: nginx", "  - package: nginx\n    colour: blue", StringComparison.Ordinal));
        git.Write("roles/app.yaml", File.ReadAllText(Path.Combine(Examples, "roles/app.yaml")).Replace("networks: [demo-net]", "networks: [demo-net]\n    requires: [service:dockerd]", StringComparison.Ordinal));

        var run = await CliRunner.RunAsync("validate", git.Path, "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var errors = json.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("file").GetString()}:{e.GetProperty("line").GetInt32()}:{e.GetProperty("column").GetInt32()} {e.GetProperty("code").GetString()}")
            .ToList();
        Assert.Equal(["roles/app.yaml:36:16 unknown-reference", "roles/web.yaml:16:5 unknown-key"], errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_exits_2_when_the_repository_does_not_exist()
    {
        var run = await CliRunner.RunAsync("validate", "/nonexistent/roles");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_prints_a_tree_with_secrets_redacted()
    {
        var secrets = Path.GetTempFileName();
        await File.WriteAllTextAsync(secrets, "demo_app_db_password: hunter2-very-secret\n");

        var run = await CliRunner.RunAsync("plan", "app-01.example.com", "--repo", Examples, "--facts", AppFacts, "--secrets", secrets);
        File.Delete(secrets);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("docker_container:demo-app", run.Output, StringComparison.Ordinal);
        Assert.Contains("env.APP_DB_PASSWORD: <redacted>", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", run.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_as_json_is_the_proto3_json_of_the_catalog_with_a_valid_hash()
    {
        var run = await CliRunner.RunAsync("plan", "web-01.example.com", "--repo", Examples, "--facts", WebFacts, "--format", "json");

        Assert.Equal(0, run.ExitCode);
        var catalog = JsonParser.Default.Parse<Catalog>(run.Output);
        Assert.Equal("web-01.example.com", catalog.Node);
        Assert.Equal(CatalogHasher.Compute(catalog), catalog.ContentHash);
        Assert.Contains(catalog.Resources, r => r.Id == "service:nginx");
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_exits_1_with_located_errors_when_the_roles_do_not_compile()
    {
        var facts = Path.GetTempFileName();
        await File.WriteAllTextAsync(facts, "os: {family: RedHat}\n");

        var run = await CliRunner.RunAsync("plan", "db-01.example.com", "--repo", Examples, "--facts", facts);
        File.Delete(facts);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nodes.yaml:1:1: error[unclassified-node]", run.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_exits_2_when_the_facts_file_is_missing()
    {
        var run = await CliRunner.RunAsync("plan", "web-01.example.com", "--repo", Examples, "--facts", "/nonexistent.yaml");

        Assert.Equal(2, run.ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Diff_shows_each_changed_property_between_two_commits()
    {
        using var git = new GitRepo();
        git.CopyFrom(Examples);
        var from = git.Commit("examples");
        git.Write("roles/web.yaml", git.Read("roles/web.yaml").Replace("worker_connections: 768", "worker_connections: 1024", StringComparison.Ordinal) + "\n  - package: htop\n");
        git.Write("templates/nginx-site.conf.hbs", git.Read("templates/nginx-site.conf.hbs").Replace("index index.html;", "index index.html index.htm;", StringComparison.Ordinal));
        var to = git.Commit("tune nginx");

        var text = await CliRunner.RunAsync("diff", "web-01.example.com", "--repo", git.Path, "--facts", WebFacts, from, to);
        var json = await CliRunner.RunAsync("diff", "web-01.example.com", "--repo", git.Path, "--facts", WebFacts, from, to, "--format", "json", "--exit-code");
        var same = await CliRunner.RunAsync("diff", "web-01.example.com", "--repo", git.Path, "--facts", WebFacts, to, "main", "--exit-code");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("2 changed, 1 added, 0 removed", text.Output, StringComparison.Ordinal);
        Assert.Contains("line: \tworker_connections 768; -> \tworker_connections 1024;", text.Output, StringComparison.Ordinal);
        Assert.Contains("-     index index.html;", text.Output, StringComparison.Ordinal);
        Assert.Contains("+     index index.html index.htm;", text.Output, StringComparison.Ordinal);
        Assert.Equal(3, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        var changes = doc.RootElement.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(["file:/etc/nginx/sites-available/default:changed", "line:nginx-worker-connections:changed", "package:htop:added"],
            changes.Select(c => $"{c.GetProperty("id").GetString()}:{c.GetProperty("change").GetString()}").Order());
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("no changes", same.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Diff_exits_2_for_an_unknown_ref()
    {
        using var git = new GitRepo();
        git.CopyFrom(Examples);
        git.Commit("examples");

        var run = await CliRunner.RunAsync("diff", "web-01.example.com", "--repo", git.Path, "--facts", WebFacts, "main", "no-such-ref");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such-ref", run.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_usage_error_exits_2_and_says_what_is_missing()
    {
        var run = await CliRunner.RunAsync("plan", "web-01.example.com", "--repo", Examples);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--facts", run.Error, StringComparison.Ordinal);
    }
}
