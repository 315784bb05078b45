using System.Text.Json;
using Colabo.Config.Agent.Cli;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Engine.Tests.Agent;

public sealed class ApplyCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("colabo-apply-").FullName;

    private string RootPath => Path.Combine(_work, "root");

    public ApplyCommandTests() => Directory.CreateDirectory(RootPath);

    [Fact(Timeout = 60_000)]
    public async Task Applying_a_json_catalog_converges_the_root_and_a_second_apply_changes_nothing()
    {
        var catalog = WriteJson(MotdCatalog());

        var first = await ApplyAsync(catalog, "--root", RootPath);
        var second = await ApplyAsync(catalog, "--root", RootPath);

        Assert.Equal(0, first.Exit);
        Assert.Contains("changed      file:/etc/motd", first.Output, StringComparison.Ordinal);
        Assert.Contains("    mode: (absent) -> 0644", first.Output, StringComparison.Ordinal);
        Assert.Equal("welcome\n", File.ReadAllText(Path.Combine(RootPath, "etc/motd")));
        Assert.Equal(0, second.Exit);
        Assert.Contains("2 resources, 2 in sync, 0 changed", second.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Noop_exits_3_when_changes_are_pending_and_0_when_there_is_nothing_to_do()
    {
        var catalog = WriteJson(MotdCatalog());

        var pending = await ApplyAsync(catalog, "--root", RootPath, "--noop");
        Assert.False(Directory.Exists(Path.Combine(RootPath, "etc")));
        await ApplyAsync(catalog, "--root", RootPath);
        var clean = await ApplyAsync(catalog, "--root", RootPath, "--noop");

        Assert.Equal(3, pending.Exit);
        Assert.Contains("would_change file:/etc/motd", pending.Output, StringComparison.Ordinal);
        Assert.Equal(0, clean.Exit);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_resource_makes_apply_exit_2_with_the_reason()
    {
        var catalog = MotdCatalog();
        catalog.Resources.RemoveAt(0);
        catalog.Resources[0].ImplicitRequires.Clear();

        var result = await ApplyAsync(WriteJson(catalog), "--root", RootPath);

        Assert.Equal(2, result.Exit);
        Assert.Contains("failed       file:/etc/motd", result.Output, StringComparison.Ordinal);
        Assert.Contains("the parent directory '/etc' does not exist; declare it as a directory resource", result.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_binary_catalog_is_applied_like_a_json_one()
    {
        var path = Path.Combine(_work, "catalog.pb");
        File.WriteAllBytes(path, MotdCatalog().ToByteArray());

        var result = await ApplyAsync(path, "--root", RootPath);

        Assert.Equal(0, result.Exit);
        Assert.True(File.Exists(Path.Combine(RootPath, "etc/motd")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Json_format_prints_the_summary_and_every_outcome_in_proto3_json()
    {
        var result = await ApplyAsync(WriteJson(MotdCatalog()), "--root", RootPath, "--format", "json");

        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(2, document.RootElement.GetProperty("summary").GetProperty("changed").GetInt32());
        var outcomes = document.RootElement.GetProperty("outcomes");
        Assert.Equal(2, outcomes.GetArrayLength());
        Assert.Equal("OUTCOME_STATUS_CHANGED", outcomes[1].GetProperty("status").GetString());
        var parsed = JsonParser.Default.Parse<ResourceOutcome>(outcomes[1].GetRawText());
        Assert.Equal("file:/etc/motd", parsed.ResourceId);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("missing.json", "cannot read catalog")]
    [InlineData("broken.json", "is not a valid proto3 JSON catalog")]
    public async Task An_unusable_catalog_exits_1_and_says_why(string name, string expected)
    {
        File.WriteAllText(Path.Combine(_work, "broken.json"), "{\"resources\": [ {\"kind\": 5 ");

        var result = await ApplyAsync(Path.Combine(_work, name), "--root", RootPath);

        Assert.Equal(1, result.Exit);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_root_that_does_not_exist_is_a_usage_error()
    {
        var result = await ApplyAsync(WriteJson(MotdCatalog()), "--root", Path.Combine(_work, "nope"));

        Assert.Equal(1, result.Exit);
        Assert.Contains("is not an existing directory", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    internal static Catalog MotdCatalog()
    {
        var catalog = new Catalog { Node = "web-1", Commit = "0123456789abcdef" };
        catalog.Resources.Add(new Resource { Id = "directory:/etc", Kind = "directory", Name = "/etc", Directory = new DirectorySpec { Path = "/etc" } });
        var motd = new Resource { Id = "file:/etc/motd", Kind = "file", Name = "/etc/motd", File = new FileSpec { Path = "/etc/motd", Content = "welcome\n", Mode = "0644" } };
        motd.ImplicitRequires.Add("directory:/etc");
        catalog.Resources.Add(motd);
        return catalog;
    }

    private string WriteJson(Catalog catalog)
    {
        var path = Path.Combine(_work, "catalog.json");
        File.WriteAllText(path, JsonFormatter.Default.Format(catalog));
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> ApplyAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AgentCommandLine.RunAsync(["apply", .. arguments], output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
