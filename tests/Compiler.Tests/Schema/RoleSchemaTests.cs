using System.Diagnostics;
using System.Text.Json;
using Colabo.Config.Compiler.Roles;
using Colabo.Config.Compiler.Tests.Support;

namespace Colabo.Config.Compiler.Tests.Schema;

/// <summary>The published JSON Schemas, checked with ajv (npm, installed by tests/setup/45-schema.sh).</summary>
public class RoleSchemaTests
{
    private static readonly string SchemaTests = Path.Combine(TestRepo.RepoRoot, "tests", "schema");

    private static async Task<(int ExitCode, string Output)> NodeAsync(params string[] args)
    {
        Assert.True(File.Exists(Path.Combine(SchemaTests, "node_modules", "ajv", "package.json")),
            "ajv is not installed; run tests/setup/45-schema.sh");
        var start = new ProcessStartInfo("node") { WorkingDirectory = SchemaTests, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("validate.mjs");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        output += await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Every_example_role_and_the_classification_validate_against_the_schema_with_ajv()
    {
        var (exit, output) = await NodeAsync();

        Assert.True(exit == 0, output);
        Assert.Contains("ok examples/roles/roles/web.yaml", output, StringComparison.Ordinal);
        Assert.Contains("ok examples/roles/nodes.yaml", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_schema_rejects_misspelled_keys_unknown_kinds_and_bad_param_types()
    {
        var invalid = Directory.GetFiles(Path.Combine(SchemaTests, "invalid"), "*.yaml").Order().ToArray();

        var (exit, output) = await NodeAsync(["--expect-invalid", .. invalid]);

        Assert.True(exit == 0, output);
        Assert.Equal(invalid.Length, output.Split('\n').Count(l => l.StartsWith("invalid ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_schema_lists_exactly_the_kinds_and_keys_the_compiler_accepts()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestRepo.RepoRoot, "schema", "role.schema.json")));
        var kinds = schema.RootElement.GetProperty("properties").GetProperty("resources").GetProperty("items").GetProperty("oneOf")
            .EnumerateArray()
            .ToDictionary(k => k.GetProperty("title").GetString()!, k => k.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList());

        Assert.Equal(ResourceKinds.Keys.Keys.Order(), kinds.Keys.Order());
        foreach (var (kind, keys) in ResourceKinds.Keys)
        {
            Assert.Equal(keys.Concat(ResourceKinds.CommonKeys).Append(kind).Order(), kinds[kind]);
        }
    }
}
