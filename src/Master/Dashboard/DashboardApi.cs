using Colabo.Config.Compiler.Display;
using Colabo.Config.Master.Api;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Drift;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Reports;
using Colabo.Config.Master.Security;
using Colabo.Config.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Colabo.Config.Master.Dashboard;

/// <summary>
/// The aggregate reads behind the web dashboard, under <c>GET /api/v1/dashboard/...</c>: fleet counts
/// and the change chart (overview), the paged, filtered and sorted node list, one node with its catalog
/// (secrets redacted) and runs, one run's outcomes, and drift per resource, role and node. Same
/// credentials as the JSON API (a bearer token or an admin/viewer certificate); read-only, so a viewer
/// sees everything here. Actions (run now) go through <c>POST /api/v1/RunNow</c>, which needs admin.
/// </summary>
public sealed class DashboardApi(
    IConfigStore store, IFleetAggregates aggregates, FleetIndex fleet, NodeDirectory nodes, CatalogArchive archive,
    ApiTokens tokens, RevocationList revocations, TimeProvider time, TimeSpan runInterval)
{
    // Answers are application/json, never HTML, so quotes and apostrophes stay readable for curl users.
    private static readonly DashboardJson s_json = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/v1/dashboard/session", Handle((http, caller) =>
            Task.FromResult<object>(new SessionView(caller.Name, caller.CanWrite ? "admin" : "viewer"))));
        app.MapGet("/api/v1/dashboard/overview", Handle((http, _) => OverviewAsync(Days(http.Request.Query), http.RequestAborted)));
        app.MapGet("/api/v1/dashboard/nodes", Handle((http, _) => NodesAsync(NodeQuery.Parse(http.Request.Query), http.RequestAborted)));
        app.MapGet("/api/v1/dashboard/nodes/{name}", Handle((http, _) => NodeAsync(Route(http, "name"), http.RequestAborted)));
        app.MapGet("/api/v1/dashboard/nodes/{name}/runs/{runId}", Handle((http, _) => RunAsync(Route(http, "name"), Route(http, "runId"), http.RequestAborted)));
        app.MapGet("/api/v1/dashboard/drift", Handle((http, _) => DriftAsync(
            Days(http.Request.Query), http.Request.Query["role"].ToString(), http.Request.Query["resource"].ToString(), http.RequestAborted)));
    }

    private static string Route(HttpContext http, string key) => http.Request.RouteValues[key]?.ToString() ?? "";

    // Change-log counts over days change slowly and cost a scan of the window, so every viewer shares
    // them: fresh for 5 s, then served while one recomputation runs (up to a minute old).
    private readonly AnswerCache<ChangeCounts> _counts = new(time, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1));

    private sealed record ChangeCounts(IReadOnlyList<ChangeBucketView> Series, int BucketHours, IReadOnlyList<ResourceDriftView> Resources, IReadOnlyList<RoleChangeCount> Roles, IReadOnlyList<NodeDriftView> Nodes);

    public async Task<object> OverviewAsync(int days, CancellationToken cancellationToken)
    {
        var snapshot = await fleet.GetAsync(cancellationToken);
        var counts = await _counts.GetAsync($"overview {days}", async () =>
        {
            var (since, bucket) = Window(days);
            var buckets = await aggregates.CountChangesOverTimeAsync(since, bucket, CancellationToken.None);
            var top = await aggregates.CountChangesByResourceAsync(since, null, 5, CancellationToken.None);
            var series = new List<ChangeBucketView>();
            var now = time.GetUtcNow();
            for (var start = since; start <= now; start += bucket)
            {
                var at = buckets.Where(b => b.Start == start).ToList();
                int Count(string cls) => at.Where(b => b.Class == cls).Sum(b => b.Count);
                series.Add(new ChangeBucketView(start, Count(ChangeClasses.Corrective), Count(ChangeClasses.Intentional), Count(ChangeClasses.Failed),
                    Count(ChangeClasses.Pending), at.Where(b => b.Class == ChangeClasses.Corrective).Sum(b => b.Nodes)));
            }
            return new ChangeCounts(series, (int)bucket.TotalHours, [.. top.Where(r => r.Corrective > 0).Select(ToView)], [], []);
        });
        return new OverviewView(
            snapshot.Nodes.Count, nodes.ConnectedCount, StatusCounts(snapshot), days, counts.BucketHours, counts.Series, counts.Resources, snapshot.At);
    }

    public async Task<object> NodesAsync(NodeQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var snapshot = await fleet.GetAsync(cancellationToken);
        var (total, page) = query.Apply(snapshot.Nodes);
        var rows = new List<NodeRowView>(page.Count);
        foreach (var node in page)
        {
            rows.Add(await RowAsync(node.Record, node.Status, node.Facts, cancellationToken));
        }
        var facets = new FacetsView(StatusCounts(snapshot), snapshot.Roles, snapshot.Environments, snapshot.FactKeys);
        return new NodePageView(total, query.Page, query.PageSize, rows, facets);
    }

    public async Task<object> NodeAsync(string name, CancellationToken cancellationToken)
    {
        var record = await store.GetNodeAsync(name, cancellationToken) ?? throw new MasterException(MasterErrorKind.NotFound, $"No node named {name} is enrolled.");
        var revoked = record.CertificateSerial.Length > 0 && revocations.IsRevoked(record.CertificateSerial);
        var facts = FleetIndex.Flatten(FactsMapper.FromJson(record.FactsJson));
        var row = await RowAsync(record, RunStates.StatusOf(record, time.GetUtcNow(), runInterval, revoked), facts, cancellationToken);
        CatalogView? catalog = null;
        if ((await archive.FindAsync(record.CatalogHash, cancellationToken))?.Catalog is { } c)
        {
            catalog = new CatalogView(c.ContentHash, c.Commit, c.Environment, [.. c.Resources.Select(r => new CatalogResourceView(
                r.Id, r.Kind, r.Role, [.. CatalogProperties.Flatten(r).Select(p => new PropertyView(p.Name, p.Value, p.Secret))]))]);
        }
        var states = await store.GetResourceStatesAsync(record.Name, cancellationToken);
        var runs = await store.ListRunsAsync(record.Name, null, 50, cancellationToken);
        return new NodeDetailView(
            row, record.CatalogHash, record.AppliedHash, record.EnrolledAt, [.. facts.Select(f => new FactView(f.Key, f.Value))], catalog,
            [.. states.OrderBy(s => s.ResourceId, StringComparer.Ordinal).Select(s => new ResourceStateView(
                s.ResourceId, s.Kind, s.Role, s.Status, s.LastChangeClass, s.LastChangedAt, s.Message))],
            [.. runs.Select(ToView)]);
    }

    public async Task<object> RunAsync(string node, string runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(node, runId, cancellationToken)
            ?? throw new MasterException(MasterErrorKind.NotFound, $"Node {node} has no run {runId} (runs older than the retention window are compacted).");
        var changes = await store.ListChangesOfRunAsync(node, runId, cancellationToken);
        return new RunDetailView(ToView(run), [.. changes.OrderBy(c => c.ResourceId, StringComparer.Ordinal).Select(c => new OutcomeView(
            c.ResourceId, c.Kind, c.Role, c.Status, c.Class, c.Message,
            [.. ReportClassifier.ParseChanges(c.ChangesJson).Select(p => new PropertyChangeView(
                p.Property, p.HasBefore ? p.Before : null, p.HasAfter ? p.After : null, p.Secret))]))]);
    }

    public async Task<object> DriftAsync(int days, string role, string resource, CancellationToken cancellationToken)
    {
        var snapshot = await fleet.GetAsync(cancellationToken);
        var counts = await _counts.GetAsync($"drift {days} {role} {resource}", async () =>
        {
            var (since, _) = Window(days);
            var resources = await aggregates.CountChangesByResourceAsync(since, role.Length > 0 ? role : null, 50, CancellationToken.None);
            var roles = await aggregates.CountChangesByRoleAsync(since, CancellationToken.None);
            IReadOnlyList<NodeDriftView> perNode = resource.Length == 0 ? [] :
                [.. (await aggregates.CountChangesByNodeAsync(since, resource, 200, CancellationToken.None)).Select(n =>
                    new NodeDriftView(n.Node, n.Corrective, n.Intentional, n.Failed, n.Pending, n.LastAt))];
            return new ChangeCounts([], 0, [.. resources.Select(ToView)], roles, perNode);
        });
        return new DriftView(days, role, counts.Resources,
            [.. counts.Roles.Select(r => new RoleDriftView(r.Role, r.Corrective, r.Intentional, r.Failed, r.Pending, r.DriftedNodes, snapshot.RoleMembers.GetValueOrDefault(r.Role)))],
            resource, counts.Nodes);
    }

    private async Task<NodeRowView> RowAsync(NodeRecord record, Contracts.V1.NodeStatus status, IReadOnlyDictionary<string, string> facts, CancellationToken cancellationToken)
    {
        var run = record.LastRunId.Length > 0 ? await store.GetRunAsync(record.Name, record.LastRunId, cancellationToken) : null;
        return new NodeRowView(
            record.Name, StatusNames.Name(status), record.Environment, record.Roles, facts.GetValueOrDefault("os.name") ?? "", facts.GetValueOrDefault("os.release") ?? "",
            record.LastReportAt, record.LastSeenAt, nodes.Find(record.Name)?.WatchCount > 0, run is null ? null : ToView(run));
    }

    private static List<StatusCount> StatusCounts(FleetIndex.Snapshot snapshot) =>
        [.. StatusNames.All.Select(s => new StatusCount(s, snapshot.StatusCounts[s]))];

    /// <summary>The chart's window: whole buckets (1 h up to 2 days, 6 h up to 7, else 1 day) ending now.</summary>
    private (DateTimeOffset Since, TimeSpan Bucket) Window(int days)
    {
        var bucket = TimeSpan.FromHours(days <= 2 ? 1 : days <= 7 ? 6 : 24);
        var start = time.GetUtcNow() - TimeSpan.FromDays(days) + bucket;
        var aligned = start.ToUnixTimeMilliseconds() / (long)bucket.TotalMilliseconds * (long)bucket.TotalMilliseconds;
        return (DateTimeOffset.FromUnixTimeMilliseconds(aligned), bucket);
    }

    private static int Days(IQueryCollection query) =>
        int.TryParse(query["days"].ToString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var days)
            ? Math.Clamp(days, 1, 30) : 7;

    private static ResourceDriftView ToView(ResourceChangeCount r) =>
        new(r.ResourceId, r.Kind, r.Role, r.Corrective, r.Intentional, r.Failed, r.Pending, r.Nodes, r.LastAt);

    private static RunView ToView(RunRecord run) => new(
        run.RunId, run.Mode, run.State, run.Commit, run.CatalogHash, run.StartedAt, run.FinishedAt, run.Total, run.InSync, run.Changed,
        run.WouldChange, run.Failed, run.Skipped, run.Corrective, run.Intentional, run.Error);

    private RequestDelegate Handle(Func<HttpContext, CallerIdentity, Task<object>> answer) => http => Serve(http, answer);

    private async Task Serve(HttpContext http, Func<HttpContext, CallerIdentity, Task<object>> answer)
    {
        http.Response.Headers.CacheControl = "no-store";
        var caller = await JsonApi.AuthenticateAsync(http, tokens, revocations);
        if (caller is null)
        {
            await Write(http, 401, new ErrorView("unauthenticated", "Sign in with an API token (Authorization: Bearer TOKEN), e.g. the master data dir's admin.token."));
            return;
        }
        if (!caller.CanRead)
        {
            await Write(http, 403, new ErrorView("PermissionDenied", $"{caller.Kind.ToOu()} '{caller.Name}' may not read the dashboard; it needs an admin or viewer credential."));
            return;
        }
        try
        {
            await Write(http, 200, await answer(http, caller));
        }
        catch (MasterException e)
        {
            await Write(http, Surface.ToHttpStatus(e.Kind), new ErrorView(e.Kind.ToString(), e.Message));
        }
    }

    private static Task Write(HttpContext http, int status, object value)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        var info = s_json.GetTypeInfo(value.GetType())!;
        return System.Text.Json.JsonSerializer.SerializeAsync(http.Response.Body, value, info, http.RequestAborted);
    }
}
