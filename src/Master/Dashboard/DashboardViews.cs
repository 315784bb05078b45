namespace Colabo.Config.Master.Dashboard;

// What the dashboard's JSON endpoints answer (camelCase, nulls omitted). Times are ISO 8601 UTC.

/// <summary>Who is signed in: the name and role of the bearer token.</summary>
public sealed record SessionView(string Name, string Role);

public sealed record StatusCount(string Status, int Count);

/// <summary>One time bucket of the change log: entries per class and nodes that drifted.</summary>
public sealed record ChangeBucketView(DateTimeOffset Start, int Corrective, int Intentional, int Failed, int Pending, int DriftedNodes);

public sealed record ResourceDriftView(string ResourceId, string Kind, string Role, int Corrective, int Intentional, int Failed, int Pending, int Nodes, DateTimeOffset LastAt);

public sealed record RoleDriftView(string Role, int Corrective, int Intentional, int Failed, int Pending, int DriftedNodes, int Nodes);

public sealed record NodeDriftView(string Node, int Corrective, int Intentional, int Failed, int Pending, DateTimeOffset LastAt);

/// <summary>The fleet overview: counts by status, the change chart, the resources that drift most.</summary>
public sealed record OverviewView(
    int Total, int Connected, IReadOnlyList<StatusCount> Statuses, int Days, int BucketHours,
    IReadOnlyList<ChangeBucketView> Changes, IReadOnlyList<ResourceDriftView> TopDrift, DateTimeOffset GeneratedAt);

public sealed record RunView(
    string RunId, string Mode, string State, string Commit, string CatalogHash, DateTimeOffset StartedAt, DateTimeOffset FinishedAt,
    int Total, int InSync, int Changed, int WouldChange, int Failed, int Skipped, int Corrective, int Intentional, string Error);

public sealed record NodeRowView(
    string Name, string Status, string Environment, IReadOnlyList<string> Roles, string Os, string Release,
    DateTimeOffset? LastReportAt, DateTimeOffset? LastSeenAt, bool Connected, RunView? LastRun);

public sealed record NodePageView(int Total, int Page, int PageSize, IReadOnlyList<NodeRowView> Items, FacetsView Facets);

/// <summary>What the filters can offer: every status with its fleet-wide count, role, environment and fact name.</summary>
public sealed record FacetsView(IReadOnlyList<StatusCount> Statuses, IReadOnlyList<string> Roles, IReadOnlyList<string> Environments, IReadOnlyList<string> FactKeys);

public sealed record FactView(string Key, string Value);

public sealed record PropertyView(string Name, string Value, bool Secret);

public sealed record CatalogResourceView(string Id, string Kind, string Role, IReadOnlyList<PropertyView> Properties);

public sealed record CatalogView(string Hash, string Commit, string Environment, IReadOnlyList<CatalogResourceView> Resources);

public sealed record ResourceStateView(string ResourceId, string Kind, string Role, string Status, string LastChangeClass, DateTimeOffset? LastChangedAt, string Message);

public sealed record NodeDetailView(
    NodeRowView Node, string CatalogHash, string AppliedHash, DateTimeOffset EnrolledAt, IReadOnlyList<FactView> Facts, CatalogView? Catalog,
    IReadOnlyList<ResourceStateView> Resources, IReadOnlyList<RunView> Runs);

public sealed record PropertyChangeView(string Property, string? Before, string? After, bool Secret);

public sealed record OutcomeView(string ResourceId, string Kind, string Role, string Status, string Class, string Message, IReadOnlyList<PropertyChangeView> Changes);

public sealed record RunDetailView(RunView Run, IReadOnlyList<OutcomeView> Outcomes);

/// <summary>The drift page: per resource, per role, and (for one resource) per node.</summary>
public sealed record DriftView(int Days, string Role, IReadOnlyList<ResourceDriftView> Resources, IReadOnlyList<RoleDriftView> Roles, string Resource, IReadOnlyList<NodeDriftView> Nodes);

public sealed record ErrorView(string Code, string Message);
