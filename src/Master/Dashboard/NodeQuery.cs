using Colabo.Config.Contracts.V1;
using Colabo.Config.Store;
using Microsoft.AspNetCore.Http;

namespace Colabo.Config.Master.Dashboard;

/// <summary>
/// The nodes table's search, filters, sort and page, as the query string spells them:
/// <c>?q=web&amp;status=drifted,failing&amp;role=web&amp;environment=main&amp;fact=os.release=12&amp;sort=last_report&amp;order=desc&amp;page=2&amp;page_size=50</c>.
/// Text matches ignore case; a fact value may be a glob (<c>cloud.region=eu-*</c>).
/// </summary>
public sealed record NodeQuery
{
    public const int MaxPageSize = 500;

    public string Search { get; init; } = "";
    public IReadOnlySet<NodeStatus> Statuses { get; init; } = new HashSet<NodeStatus>();
    public string Role { get; init; } = "";
    public string Environment { get; init; } = "";
    public IReadOnlyList<(string Key, string Value)> Facts { get; init; } = [];
    public string Sort { get; init; } = "name";
    public bool Descending { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;

    public static NodeQuery Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var statuses = new HashSet<NodeStatus>();
        foreach (var name in query["status"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            statuses.Add(StatusNames.Parse(name) ?? throw new MasterException(MasterErrorKind.InvalidArgument,
                $"Unknown status '{name}'; use one of {string.Join(", ", StatusNames.All)}."));
        }
        var facts = new List<(string, string)>();
        foreach (var fact in query["fact"])
        {
            var at = (fact ?? "").IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new MasterException(MasterErrorKind.InvalidArgument, $"A fact filter is NAME=VALUE (e.g. os.release=12), not '{fact}'.");
            }
            facts.Add((fact![..at].Trim(), fact[(at + 1)..].Trim()));
        }
        var sort = query["sort"].ToString() is { Length: > 0 } s ? s : "name";
        if (sort is not ("name" or "status" or "environment" or "os" or "last_report" or "last_seen"))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, $"Cannot sort by '{sort}'; use name, status, environment, os, last_report or last_seen.");
        }
        return new NodeQuery
        {
            Search = query["q"].ToString().Trim(),
            Statuses = statuses,
            Role = query["role"].ToString().Trim(),
            Environment = query["environment"].ToString().Trim(),
            Facts = facts,
            Sort = sort,
            Descending = query["order"].ToString() == "desc",
            Page = Math.Max(1, Number(query, "page", 1)),
            PageSize = Math.Clamp(Number(query, "page_size", 50), 1, MaxPageSize),
        };
    }

    public bool Matches(FleetIndex.FleetNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (Statuses.Count > 0 && !Statuses.Contains(node.Status))
        {
            return false;
        }
        if (Role.Length > 0 && !node.Record.Roles.Contains(Role, StringComparer.Ordinal))
        {
            return false;
        }
        if (Environment.Length > 0 && !string.Equals(node.Record.Environment, Environment, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var (key, value) in Facts)
        {
            if (!node.Facts.TryGetValue(key, out var actual) || !Glob.IsMatch(value.ToLowerInvariant(), actual.ToLowerInvariant()))
            {
                return false;
            }
        }
        return Search.Length == 0
            || node.Name.Contains(Search, StringComparison.OrdinalIgnoreCase)
            || node.Record.Roles.Any(r => r.Contains(Search, StringComparison.OrdinalIgnoreCase))
            || (node.Facts.TryGetValue("ips", out var ips) && ips.Contains(Search, StringComparison.Ordinal));
    }

    /// <summary>The matching nodes in order, and how many matched in all.</summary>
    public (int Total, IReadOnlyList<FleetIndex.FleetNode> Page) Apply(IReadOnlyList<FleetIndex.FleetNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var matching = nodes.Where(Matches).ToList();
        Comparison<FleetIndex.FleetNode> byKey = Sort switch
        {
            "status" => (a, b) => StatusNames.Severity(a.Status).CompareTo(StatusNames.Severity(b.Status)),
            "environment" => (a, b) => string.CompareOrdinal(a.Record.Environment, b.Record.Environment),
            "os" => (a, b) => string.CompareOrdinal(Os(a), Os(b)),
            "last_report" => (a, b) => Nullable.Compare(a.Record.LastReportAt, b.Record.LastReportAt),
            "last_seen" => (a, b) => Nullable.Compare(a.Record.LastSeenAt, b.Record.LastSeenAt),
            _ => (_, _) => 0,
        };
        // The list is already by name, and the name breaks ties so paging is stable.
        matching.Sort((a, b) =>
        {
            var c = byKey(a, b);
            c = c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            return Descending ? -c : c;
        });
        return (matching.Count, matching.Skip((Page - 1) * PageSize).Take(PageSize).ToList());
    }

    private static string Os(FleetIndex.FleetNode node) =>
        (node.Facts.GetValueOrDefault("os.name") ?? "") + " " + (node.Facts.GetValueOrDefault("os.release") ?? "");

    private static int Number(IQueryCollection query, string key, int fallback) =>
        int.TryParse(query[key].ToString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : fallback;
}
