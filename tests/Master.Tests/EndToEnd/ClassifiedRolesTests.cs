using System.Net.Http.Headers;
using System.Text.Json;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.EndToEnd;

/// <summary>Nodes show the roles the compiler resolved for them, not only those their enrollment token carried.</summary>
public sealed class ClassifiedRolesTests
{
    [Fact(Timeout = 60_000)]
    public async Task Nodes_and_node_show_classified_roles_before_and_after_the_first_check_in_and_so_does_the_json_api()
    {
        var repo = await TestRoleRepo.CreateAsync();
        await repo.CommitAsync("extra role", ("roles/extra.yaml", """
            resources:
              - file: /etc/extra
                content: "x\n"
            """));
        await using var master = await TestMaster.StartAsync(repo);
        var withRole = await master.Admin().CreateTokenAsync(new CreateTokenRequest { NamePattern = "web-*", Roles = { "extra" }, MaxUses = 1 }, TestMaster.Deadline());
        await master.EnrollAsync("web-1", withRole.Token);
        var checkedIn = await master.EnrollAsync("web-2");
        await checkedIn.GetCatalogAsync();

        var nodes = await CliRunner.RunAsync(master, "nodes");
        var node = await CliRunner.RunAsync(master, "node", "web-1");
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(master.Host.Paths.AdminToken)).Trim());
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(master.Host.Url, "/api/v1/nodes/web-2")));

        Assert.Equal(0, nodes.ExitCode);
        var rows = nodes.Output.Split('\n');
        Assert.Contains(" base,extra ", rows.Single(r => r.StartsWith("web-1", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(" base ", rows.Single(r => r.StartsWith("web-2", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("roles:     base, extra\n", node.Output, StringComparison.Ordinal);
        Assert.Equal(["base"], json.RootElement.GetProperty("node").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }
}
