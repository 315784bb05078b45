extern alias cli;

using System.CommandLine;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>The `colabo` admin commands against a real master, with the data dir's admin credential.</summary>
public sealed class AdminCliTests
{
    private static async Task<(int Exit, string Output, string Error)> ColaboAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await cli::Program.BuildRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task On_the_master_host_colabo_with_the_data_dir_lists_nodes_creates_tokens_deploys_and_reports_status()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo);
        await master.EnrollAsync("web-1");
        var dir = master.Host.Paths.DataDir;

        var nodes = await ColaboAsync("--data-dir", dir, "nodes");
        var json = await ColaboAsync("nodes", "--data-dir", dir, "--format", "json");
        var token = await ColaboAsync("--data-dir", dir, "token", "create", "--pattern", "db-*", "--roles", "base", "--expires", "2h");
        var tokens = await ColaboAsync("--data-dir", dir, "token", "list");
        await repo.CommitAsync("v2", ("roles/base.yaml", TestRoleRepo.Base("welcome v2")));
        var deploy = await ColaboAsync("--data-dir", dir, "deploy");
        var status = await ColaboAsync("--data-dir", dir, "status");
        var drift = await ColaboAsync("--data-dir", dir, "drift", "--since", "1h");

        Assert.Equal((0, ""), (nodes.Exit, nodes.Error));
        Assert.Contains("web-1", nodes.Output, StringComparison.Ordinal);
        Assert.Contains("NODE_STATUS_NEW", json.Output, StringComparison.Ordinal);
        Assert.StartsWith("cbt_", token.Output, StringComparison.Ordinal);
        Assert.Contains("db-*", tokens.Output, StringComparison.Ordinal);
        Assert.Contains("published, 1 node(s) pushed", deploy.Output, StringComparison.Ordinal);
        Assert.Contains("main", status.Output, StringComparison.Ordinal);
        Assert.Equal(0, drift.Exit);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_refused_call_exits_4_with_the_masters_reason_and_missing_credentials_exit_2()
    {
        await using var master = await TestMaster.StartAsync(null);

        var unknown = await ColaboAsync("--data-dir", master.Host.Paths.DataDir, "node", "ghost");
        var nowhere = await ColaboAsync("nodes", "--master", "https://localhost:1");

        Assert.Equal(4, unknown.Exit);
        Assert.Contains("NotFound: No node named ghost", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, nowhere.Exit);
        Assert.Contains("--ca", nowhere.Error, StringComparison.Ordinal);
    }
}
