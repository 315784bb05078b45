using System.Text.Json;
using Colabo.Config.Dashboard.Tests.Support;

namespace Colabo.Config.Dashboard.Tests;

/// <summary>The dashboard's counts on a master whose store is PostgreSQL.</summary>
public sealed class PostgresDashboardTests(SeededPostgresMaster master) : IClassFixture<SeededPostgresMaster>
{
    [Fact(Timeout = 60_000)]
    public async Task The_overview_and_the_drift_counts_on_postgresql_match_the_seeded_fleet()
    {
        using var client = master.Client(master.ViewerToken);

        var overview = await GetAsync(client, "/api/v1/dashboard/overview?days=7");
        var drift = await GetAsync(client, "/api/v1/dashboard/drift?days=7&resource=file:/etc/motd");
        var page = await GetAsync(client, "/api/v1/dashboard/nodes?status=failing&fact=cloud.region=us-*&sort=last_report&order=desc");

        Assert.Equal(master.Expected.Total, overview.GetProperty("total").GetInt32());
        var buckets = overview.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(master.Expected.Corrective, buckets.Sum(b => b.GetProperty("corrective").GetInt32()));
        Assert.Equal(master.Expected.Intentional, buckets.Sum(b => b.GetProperty("intentional").GetInt32()));
        Assert.Equal(master.Expected.Failed, buckets.Sum(b => b.GetProperty("failed").GetInt32()));
        Assert.Equal(master.Expected.MotdDriftedNodes, overview.GetProperty("topDrift")[0].GetProperty("nodes").GetInt32());
        Assert.Equal(master.Expected.MotdDriftedNodes, drift.GetProperty("nodes").GetArrayLength());
        Assert.Equal(
            Enumerable.Range(0, master.Expected.Total).Count(i => FleetSeeder.StatusOf(i) == "failing" && FleetSeeder.RegionOf(i) == "us-east"),
            page.GetProperty("total").GetInt32());
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
