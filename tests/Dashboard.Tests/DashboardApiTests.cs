using System.Net;
using System.Text.Json;
using Colabo.Config.Dashboard.Tests.Support;

namespace Colabo.Config.Dashboard.Tests;

/// <summary>The dashboard's JSON endpoints over real HTTPS against a seeded master.</summary>
public sealed class DashboardApiTests(SeededMaster master) : IClassFixture<SeededMaster>
{
    [Theory(Timeout = 60_000)]
    [InlineData("/api/v1/dashboard/session")]
    [InlineData("/api/v1/dashboard/overview")]
    [InlineData("/api/v1/dashboard/nodes")]
    [InlineData("/api/v1/dashboard/nodes/web-00000")]
    [InlineData("/api/v1/dashboard/drift")]
    public async Task Every_dashboard_endpoint_answers_401_and_no_data_without_a_token(string path)
    {
        using var anonymous = master.Client();
        using var wrong = master.Client("cba_not-a-token");

        using var none = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
        using var unknown = await wrong.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var body = await none.Content.ReadAsStringAsync();
        Assert.DoesNotContain("web-0", body, StringComparison.Ordinal);
        Assert.Contains("unauthenticated", body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_overview_counts_every_status_and_every_change_class_of_the_window()
    {
        using var client = master.Client(master.ViewerToken);

        var overview = await GetAsync(client, "/api/v1/dashboard/overview?days=7");

        Assert.Equal(master.Expected.Total, overview.GetProperty("total").GetInt32());
        foreach (var status in overview.GetProperty("statuses").EnumerateArray())
        {
            Assert.Equal(master.Expected.Count(status.GetProperty("status").GetString()!), status.GetProperty("count").GetInt32());
        }
        var buckets = overview.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(master.Expected.Corrective, buckets.Sum(b => b.GetProperty("corrective").GetInt32()));
        Assert.Equal(master.Expected.Intentional, buckets.Sum(b => b.GetProperty("intentional").GetInt32()));
        Assert.Equal(master.Expected.Failed, buckets.Sum(b => b.GetProperty("failed").GetInt32()));
        Assert.Equal(28, buckets.Count);
        var top = overview.GetProperty("topDrift")[0];
        Assert.Equal("file:/etc/motd", top.GetProperty("resourceId").GetString());
        Assert.Equal(master.Expected.MotdDriftedNodes, top.GetProperty("nodes").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_node_list_filters_sorts_and_pages_on_the_server()
    {
        using var client = master.Client(master.ViewerToken);
        var expected = Enumerable.Range(0, master.Expected.Total)
            .Where(i => FleetSeeder.StatusOf(i) is "drifted" or "failing" && FleetSeeder.RoleOf(i) == "web" && FleetSeeder.ReleaseOf(i) == "12")
            .Select(FleetSeeder.NameOf).OrderDescending(StringComparer.Ordinal).ToList();

        var page = await GetAsync(client, "/api/v1/dashboard/nodes?status=drifted,failing&role=web&fact=os.release=12&sort=name&order=desc&page_size=2&page=2");

        Assert.Equal(expected.Count, page.GetProperty("total").GetInt32());
        Assert.Equal(expected.Skip(2).Take(2), page.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Contains("cloud.region", page.GetProperty("facets").GetProperty("factKeys").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fact_filter_takes_a_glob_and_an_unknown_status_is_a_clear_400()
    {
        using var client = master.Client(master.ViewerToken);

        var eu = await GetAsync(client, "/api/v1/dashboard/nodes?fact=cloud.region=EU-*&page_size=1");
        using var bad = await client.GetAsync(new Uri("/api/v1/dashboard/nodes?status=sleepy", UriKind.Relative));

        Assert.Equal(Enumerable.Range(0, master.Expected.Total).Count(i => FleetSeeder.RegionOf(i) == "eu-west"), eu.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Unknown status 'sleepy'", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_node_shows_its_catalog_with_secret_values_redacted()
    {
        using var client = master.Client(master.ViewerToken);

        using var response = await client.GetAsync(new Uri("/api/v1/dashboard/nodes/app-00002", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(FleetSeeder.SecretValue, body, StringComparison.Ordinal);
        var node = JsonDocument.Parse(body).RootElement;
        var user = node.GetProperty("catalog").GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "user:app");
        var secret = user.GetProperty("properties").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "password_hash");
        Assert.Equal("<redacted>", secret.GetProperty("value").GetString());
        Assert.True(secret.GetProperty("secret").GetBoolean());
        Assert.Contains(node.GetProperty("facts").EnumerateArray(), f => f.GetProperty("key").GetString() == "os.release" && f.GetProperty("value").GetString() == "12");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_shows_each_outcome_with_its_before_and_after()
    {
        using var client = master.Client(master.ViewerToken);

        var run = await GetAsync(client, "/api/v1/dashboard/nodes/app-00014/runs/last");

        var outcome = Assert.Single(run.GetProperty("outcomes").EnumerateArray());
        Assert.Equal("file:/etc/motd", outcome.GetProperty("resourceId").GetString());
        Assert.Equal("corrective", outcome.GetProperty("class").GetString());
        var change = Assert.Single(outcome.GetProperty("changes").EnumerateArray());
        Assert.Equal("hacked", change.GetProperty("before").GetString());
        Assert.Equal("welcome", change.GetProperty("after").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_drift_page_data_names_the_nodes_a_resource_drifted_on_and_counts_per_role()
    {
        using var client = master.Client(master.ViewerToken);

        var drift = await GetAsync(client, "/api/v1/dashboard/drift?days=7&resource=file:/etc/motd");

        Assert.Equal(master.Expected.MotdDriftedNodes, drift.GetProperty("nodes").GetArrayLength());
        Assert.Equal(master.Expected.Corrective, drift.GetProperty("nodes").EnumerateArray().Sum(n => n.GetProperty("corrective").GetInt32()));
        var baseRole = drift.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("role").GetString() == "base");
        Assert.Equal(master.Expected.Total, baseRole.GetProperty("nodes").GetInt32());
        Assert.Equal(master.Expected.Corrective, baseRole.GetProperty("corrective").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_static_dashboard_is_served_with_a_strict_content_security_policy()
    {
        using var anonymous = master.Client();

        using var index = await anonymous.GetAsync(new Uri("/ui/", UriKind.Relative));
        using var root = await anonymous.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("default-src 'none'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<div id=\"app\">", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, root.StatusCode); // followed the redirect to /ui/
        Assert.EndsWith("/ui/", root.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task A_post_a_browser_sends_for_another_site_is_refused_even_with_a_credential(string header, string value)
    {
        using var admin = master.Client(master.AdminToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/RunNow", UriKind.Relative)) { Content = new StringContent("{\"selector\":\"*\"}") };
        request.Headers.Add(header, value);

        using var refused = await admin.SendAsync(request);
        using var same = await admin.PostAsync(new Uri("/api/v1/RunNow", UriKind.Relative), new StringContent("{\"selector\":\"web-00000\"}"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("cross_site", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
