using System.Text.Json;
using Colabo.Config.Dashboard.Tests.Support;

namespace Colabo.Config.Dashboard.Tests;

/// <summary>The dashboard in a real headless Chromium (Playwright) against a real seeded master.</summary>
public sealed class DashboardPageTests(SeededMaster master) : IClassFixture<SeededMaster>
{
    [Fact(Timeout = 60_000)]
    public async Task The_overview_shows_the_seeded_counts_the_change_chart_and_the_failed_commit()
    {
        var page = await BrowserProbe.RunAsync("overview", master.Url, master.ViewerToken);

        var counts = page.GetProperty("counts");
        Assert.Equal(master.Expected.Total, counts.GetProperty("total").GetInt32());
        foreach (var status in new[] { "converged", "drifted", "failing", "pending", "unresponsive", "new", "revoked" })
        {
            Assert.Equal(master.Expected.Count(status), counts.GetProperty(status).GetInt32());
        }
        var chart = page.GetProperty("chart");
        Assert.Equal(master.Expected.Corrective, chart.GetProperty("corrective").GetInt32());
        Assert.Equal(master.Expected.Intentional, chart.GetProperty("intentional").GetInt32());
        Assert.Equal(master.Expected.Failed, chart.GetProperty("failed").GetInt32());
        Assert.True(page.GetProperty("bars").GetInt32() > 0);
        Assert.Equal("file:/etc/motd", page.GetProperty("topDrift")[0][0].GetString());
        Assert.Contains(master.PublishedCommit[..12], page.GetProperty("published").GetString(), StringComparison.Ordinal);
        var error = page.GetProperty("compileError").GetString()!;
        Assert.Contains(master.FailedCommit[..12], error, StringComparison.Ordinal);
        Assert.Contains("roles/base.yaml:2:", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_nodes_table_filters_by_status_role_and_fact_sorts_pages_and_searches()
    {
        var all = Enumerable.Range(0, master.Expected.Total).ToList();
        var drifted = all.Where(i => FleetSeeder.StatusOf(i) == "drifted").ToList();

        var steps = await BrowserProbe.RunAsync("nodes", master.Url, master.ViewerToken, new { search = "app-0001" });

        Assert.Equal(master.Expected.Total, steps.GetProperty("all").GetProperty("total").GetInt32());
        Assert.Equal(50, steps.GetProperty("all").GetProperty("names").GetArrayLength());
        Assert.Equal("page 1 of 3", steps.GetProperty("all").GetProperty("pageOf").GetString());
        Assert.Equal(drifted.Count, steps.GetProperty("drifted").GetProperty("total").GetInt32());
        Assert.All(Strings(steps.GetProperty("drifted").GetProperty("rowStatuses")), s => Assert.Equal("drifted", s));
        Assert.Equal(drifted.Count(i => FleetSeeder.RoleOf(i) == "web"), steps.GetProperty("driftedWeb").GetProperty("total").GetInt32());
        Assert.Equal(all.Count(i => FleetSeeder.RoleOf(i) == "web" && FleetSeeder.ReleaseOf(i) == "11"), steps.GetProperty("webRelease11").GetProperty("total").GetInt32());
        Assert.All(Strings(steps.GetProperty("webRelease11").GetProperty("rowRoles")), r => Assert.Contains("web", r, StringComparison.Ordinal));
        var byName = all.Select(FleetSeeder.NameOf).OrderDescending(StringComparer.Ordinal).ToList();
        Assert.Equal(byName.Take(50), Strings(steps.GetProperty("byNameDesc").GetProperty("names")));
        Assert.Equal(byName.Skip(50).Take(50), Strings(steps.GetProperty("page2").GetProperty("names")));
        Assert.Equal(all.Select(FleetSeeder.NameOf).Count(n => n.Contains("app-0001", StringComparison.Ordinal)), steps.GetProperty("search").GetProperty("total").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_node_page_shows_facts_the_catalog_with_secrets_redacted_and_a_run_diff()
    {
        var page = await BrowserProbe.RunAsync("node", master.Url, master.ViewerToken, new { node = "app-00014", secret = FleetSeeder.SecretValue });

        Assert.Equal("app-00014", page.GetProperty("title").GetString());
        Assert.Equal("base, app", page.GetProperty("roles").GetString());
        Assert.Equal(FleetSeeder.RegionOf(14), page.GetProperty("facts").GetProperty("cloud.region").GetString());
        Assert.Equal("12", page.GetProperty("facts").GetProperty("os.release").GetString());
        Assert.Contains("user:app", Strings(page.GetProperty("catalogIds")));
        Assert.Equal(["<redacted>"], Strings(page.GetProperty("secrets")));
        Assert.False(page.GetProperty("pageHasSecret").GetBoolean());
        Assert.Contains("corrective", page.GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Equal(["content", "hacked", "welcome"], Strings(page.GetProperty("diff")[0]));
        Assert.Equal(0, page.GetProperty("runNowButton").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_drift_page_ranks_the_motd_first_and_lists_the_nodes_it_drifted_on()
    {
        var page = await BrowserProbe.RunAsync("drift", master.Url, master.ViewerToken);

        var top = page.GetProperty("resources")[0];
        Assert.Equal("file:/etc/motd", top[0].GetString());
        Assert.Equal(master.Expected.Corrective.ToString(System.Globalization.CultureInfo.InvariantCulture), top[2].GetString());
        Assert.Equal(master.Expected.MotdDriftedNodes, page.GetProperty("nodes").GetArrayLength());
        var roles = page.GetProperty("roles").EnumerateArray().ToDictionary(r => r[0].GetString()!, r => r);
        Assert.Equal(master.Expected.Total.ToString(System.Globalization.CultureInfo.InvariantCulture), roles["base"][1].GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_a_token_the_browser_gets_a_401_and_a_login_form_with_no_fleet_data()
    {
        var page = await BrowserProbe.RunAsync("anonymous", master.Url, null);

        Assert.Equal(401, page.GetProperty("apiStatus").GetInt32());
        Assert.Equal(401, page.GetProperty("fetched").GetProperty("status").GetInt32());
        Assert.DoesNotContain("web-0", page.GetProperty("apiBody").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("web-0", page.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, page.GetProperty("tableShown").GetInt32());
        Assert.Equal("The master does not know this token.", page.GetProperty("loginError").GetString());
        Assert.Equal(0, page.GetProperty("stored").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_viewer_gets_no_run_now_button_and_the_master_refuses_it_anyway()
    {
        var page = await BrowserProbe.RunAsync("runNow", master.Url, master.ViewerToken, new { node = "web-00000" });

        Assert.Contains("viewer", page.GetProperty("session").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, page.GetProperty("button").GetInt32());
        Assert.Equal(403, page.GetProperty("direct").GetProperty("status").GetInt32());
        Assert.Contains("viewer role", page.GetProperty("direct").GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_admin_runs_a_node_now_from_its_page()
    {
        var page = await BrowserProbe.RunAsync("runNow", master.Url, master.AdminToken, new { node = "web-00000" });

        Assert.Contains("admin", page.GetProperty("session").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, page.GetProperty("button").GetInt32());
        Assert.Equal("Run requested on web-00000.", page.GetProperty("result").GetString());
        Assert.Equal(200, page.GetProperty("direct").GetProperty("status").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task Another_site_open_in_the_same_browser_can_neither_read_the_api_nor_post_a_run()
    {
        var seen = await BrowserProbe.RunAsync("crossOrigin", master.Url, master.AdminToken);

        Assert.Equal(JsonValueKind.Null, seen.GetProperty("token").ValueKind);
        Assert.Equal("", seen.GetProperty("cookies").GetString());
        Assert.StartsWith("blocked", seen.GetProperty("read").GetString(), StringComparison.Ordinal);
        Assert.Equal(403, seen.GetProperty("formStatus").GetInt32());
        Assert.Contains("cross_site", seen.GetProperty("formBody").GetString(), StringComparison.Ordinal);
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
