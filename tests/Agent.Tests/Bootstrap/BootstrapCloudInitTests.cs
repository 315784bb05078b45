extern alias cli;

using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Colabo.Config.Agent.Daemon;
using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Agent.Tests.Support;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Tests.Bootstrap;

/// <summary>`colabo bootstrap cloud-init`, checked by the real cloud-init 22.4 schema validator.</summary>
public sealed partial class BootstrapCloudInitTests
{
    private static readonly string Fingerprint = string.Concat(Enumerable.Repeat("ab", 32));

    [Fact(Timeout = 60_000)]
    public async Task User_data_for_an_existing_token_is_valid_cloud_config_with_the_token_private()
    {
        var (exit, output, error) = await ColaboAsync("bootstrap", "cloud-init", "--master", "https://master.example.org:8140", "--token", "tok'en-1", "--ca-fingerprint", "sha256:" + Fingerprint.ToUpperInvariant());

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("#cloud-config\n", output, StringComparison.Ordinal);
        Assert.Contains("      master: https://master.example.org:8140\n", output, StringComparison.Ordinal);
        Assert.Contains($"      ca_fingerprint: sha256:{Fingerprint}\n", output, StringComparison.Ordinal);
        Assert.Contains("  - path: /etc/colabo/enrollment-token\n    owner: root:root\n    permissions: '0600'\n    content: 'tok''en-1'\n", output, StringComparison.Ordinal);
        Assert.Contains("sha256sum -c", output, StringComparison.Ordinal);
        var (schemaExit, schemaOutput) = await CloudInitSchemaAsync(output);
        Assert.True(schemaExit == 0, schemaOutput);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_schema_check_does_reject_broken_user_data()
    {
        var (schemaExit, _) = await CloudInitSchemaAsync("#cloud-config\nwrite_files: not-a-list\nruncmd: 42\n");

        Assert.Equal(1, schemaExit);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_given_package_checksum_is_embedded_instead_of_fetched()
    {
        var sha = string.Concat(Enumerable.Repeat("0f", 32));

        var (exit, output, _) = await ColaboAsync("bootstrap", "cloud-init", "--master", "https://m:8140", "--token", "t", "--ca-fingerprint", Fingerprint,
            "--package-url", "https://mirror.example.org/colabo-agent.deb", "--package-sha256", sha, "--node-name", "web-07", "--interval", "15m");

        Assert.Equal(0, exit);
        Assert.Contains($"echo \"{sha}  $deb\" | sha256sum -c --quiet -", output, StringComparison.Ordinal);
        Assert.Contains("'https://mirror.example.org/colabo-agent.deb'", output, StringComparison.Ordinal);
        Assert.Contains("      node_name: 'web-07'\n      interval: 15m\n", output, StringComparison.Ordinal);
        Assert.Equal(0, (await CloudInitSchemaAsync(output)).Exit);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(new[] { "--master", "https://m:8140" }, "exactly one of --token")]
    [InlineData(new[] { "--master", "http://m:8140", "--token", "t" }, "must be https://")]
    [InlineData(new[] { "--master", "https://m:8140", "--token", "t" }, "CA fingerprint is needed")]
    [InlineData(new[] { "--master", "https://m:8140", "--token", "t", "--ca-fingerprint", "abc" }, "not a SHA-256 fingerprint")]
    public async Task Incomplete_input_is_refused_with_a_clear_message(string[] options, string message)
    {
        var (exit, output, error) = await ColaboAsync(["bootstrap", "cloud-init", .. options]);

        Assert.Equal(2, exit); // colabo's "input error" status
        Assert.Equal(string.Empty, output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task With_roles_a_one_time_token_is_created_on_the_master_and_the_user_data_enrolls_a_node()
    {
        await using var master = await MasterFixture.StartAsync();

        var (exit, output, error) = await ColaboAsync("--data-dir", master.DataDir, "bootstrap", "cloud-init", "--master", master.Url.ToString(), "--roles", "demo,extra", "--expires", "2h", "--pattern", "agent-*");

        Assert.True(exit == 0, error);
        Assert.Equal(0, (await CloudInitSchemaAsync(output)).Exit);
        var token = TokenLine().Match(output).Groups[1].Value.Replace("''", "'", StringComparison.Ordinal);
        var fingerprint = FingerprintLine().Match(output).Groups[1].Value;
        var created = Assert.Single((await master.Admin.ListTokensAsync(new ListTokensRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(30)))).Tokens);
        Assert.Equal(["demo", "extra"], created.Roles);
        Assert.Equal(1, created.MaxUses);
        Assert.InRange(created.ExpiresAt.ToDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(110), TimeSpan.FromMinutes(121));

        var state = new AgentState(master.StateDir);
        var enrolled = await Enroller.EnrollAsync(state, master.Url, token, fingerprint, MasterFixture.NodeName, Colabo.Config.Agent.Daemon.Facts.FactsGatherer.Gather(new TargetRoot(master.SandboxRoot)), CancellationToken.None);
        Assert.Equal(MasterFixture.NodeName, enrolled.NodeName);
        Assert.True(state.IsEnrolled);
    }

    private static async Task<(int Exit, string Output, string Error)> ColaboAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await cli::Program.BuildRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<(int Exit, string Output)> CloudInitSchemaAsync(string userData)
    {
        using var dir = new TempDir();
        var file = dir.Combine("user-data");
        await File.WriteAllTextAsync(file, userData);
        using var process = Process.Start(new ProcessStartInfo("cloud-init", ["schema", "--config-file", file]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"/etc/colabo/enrollment-token\n.*\n.*\n    content: '((?:[^']|'')*)'\n")]
    private static partial Regex TokenLine();

    [GeneratedRegex(@"ca_fingerprint: sha256:([0-9a-f]{64})")]
    private static partial Regex FingerprintLine();
}
