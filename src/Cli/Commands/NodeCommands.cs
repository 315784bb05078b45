using System.CommandLine;
using System.Globalization;
using System.Text;
using Colabo.Config.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Cli.Commands;

/// <summary><c>colabo nodes</c>, <c>node NAME</c>, <c>reports NAME</c>, <c>drift</c>, <c>run</c>, <c>fleet-plan</c>: the fleet seen from the master.</summary>
internal static class NodeCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Nodes();
        yield return Node();
        yield return Reports();
        yield return Drift();
        yield return Run();
        yield return FleetPlan();
    }

    private static Command Nodes()
    {
        var connection = new AdminConnection();
        var selector = new Option<string?>("--selector") { Description = "Glob on node names, e.g. 'web-*'" };
        var command = new Command("nodes", "List nodes with their status (converged, drifted, failing, pending, unresponsive, new, revoked)") { selector };
        connection.AddTo(command);
        connection.SetAction(command,
            async (p, c, ct) => await c.ListNodesAsync(new ListNodesRequest { Selector = p.GetValue(selector) ?? "" }, AdminConnection.Deadline(ct)),
            r => AdminTable.Render(["NODE", "STATUS", "ENV", "ROLES", "LAST REPORT", "CATALOG"],
                r.Nodes.Select(n => (IReadOnlyList<string>)[n.Name, AdminTable.Enum(n.Status, "NodeStatus"), n.Environment, string.Join(",", n.Roles), AdminTable.Time(n.LastReportAt), AdminTable.Short(n.CatalogHash)])));
        return command;
    }

    private static Command Node()
    {
        var connection = new AdminConnection();
        var name = new Argument<string>("NAME") { Description = "Node name" };
        var command = new Command("node", "Show one node: status, facts, and each resource's last known state") { name };
        connection.AddTo(command);
        connection.SetAction(command,
            async (p, c, ct) => await c.GetNodeAsync(new GetNodeRequest { Name = p.GetValue(name)! }, AdminConnection.Deadline(ct)),
            d =>
            {
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"node:      {d.Node.Name}\nstatus:    {AdminTable.Enum(d.Node.Status, "NodeStatus")}\nenv:       {d.Node.Environment}\nroles:     {string.Join(", ", d.Node.Roles)}\nos:        {d.Facts.Os} {d.Facts.Release} ({d.Facts.Arch})\ncatalog:   {d.Node.CatalogHash}\napplied:   {d.Node.AppliedHash}\nlast seen: {AdminTable.Time(d.Node.LastSeenAt)}\nreported:  {AdminTable.Time(d.Node.LastReportAt)}\n\n");
                text.Append(AdminTable.Render(["RESOURCE", "STATUS", "LAST CHANGE", "CLASS", "MESSAGE"],
                    d.Resources.Select(r => (IReadOnlyList<string>)[r.ResourceId, AdminTable.Enum(r.Status, "OutcomeStatus"), AdminTable.Time(r.LastChangedAt), AdminTable.Enum(r.LastChangeClass, "ChangeClass"), r.Message])));
                return text.ToString();
            });
        return command;
    }

    private static Command Reports()
    {
        var connection = new AdminConnection();
        var name = new Argument<string>("NAME") { Description = "Node name" };
        var limit = new Option<int>("--limit") { Description = "How many runs (default 20)", DefaultValueFactory = _ => 20 };
        var command = new Command("reports", "List a node's runs, newest first") { name, limit };
        connection.AddTo(command);
        connection.SetAction(command,
            async (p, c, ct) => await c.ListReportsAsync(new ListReportsRequest { Node = p.GetValue(name)!, Limit = p.GetValue(limit) }, AdminConnection.Deadline(ct)),
            r => AdminTable.Render(["RUN", "MODE", "FINISHED", "TOTAL", "CHANGED", "WOULD", "FAILED", "ERROR"],
                r.Reports.Select(s => (IReadOnlyList<string>)[s.RunId, AdminTable.Enum(s.Mode, "RunMode"), AdminTable.Time(s.FinishedAt), $"{s.Total}", $"{s.Changed}", $"{s.WouldChange}", $"{s.Failed}", s.Error])));
        return command;
    }

    private static Command Drift()
    {
        var connection = new AdminConnection();
        var since = new Option<string?>("--since") { Description = "Duration back (24h, 7d) or a UTC time (2026-11-01T00:00:00Z); default 24h" };
        var node = new Option<string?>("--node") { Description = "Glob on node names" };
        var role = new Option<string?>("--role") { Description = "Only resources of this role" };
        var resource = new Option<string?>("--resource") { Description = "Resource id or glob, e.g. 'file:/etc/*'" };
        var all = new Option<bool>("--include-intentional") { Description = "Also list intentional changes" };
        var command = new Command("drift", "Which nodes drifted on which resources since T, and what was changed back") { since, node, role, resource, all };
        connection.AddTo(command);
        connection.SetAction(command,
            async (p, c, ct) => await c.QueryDriftAsync(new DriftQueryRequest
            {
                Since = Timestamp.FromDateTimeOffset(Since(p.GetValue(since))),
                Node = p.GetValue(node) ?? "",
                Role = p.GetValue(role) ?? "",
                Resource = p.GetValue(resource) ?? "",
                IncludeIntentional = p.GetValue(all),
            }, AdminConnection.Deadline(ct)),
            r => AdminTable.Render(["WHEN", "NODE", "RESOURCE", "CLASS", "CHANGED BACK"],
                r.Changes.Select(e => (IReadOnlyList<string>)[AdminTable.Time(e.At), e.Node, e.ResourceId, AdminTable.Enum(e.Class, "ChangeClass"),
                    string.Join("; ", e.Changes.Select(ch => $"{ch.Property}: {Show(ch.HasBefore ? ch.Before : null)} -> {Show(ch.HasAfter ? ch.After : null)}"))])));
        return command;
    }

    private static Command Run()
    {
        var connection = new AdminConnection();
        var selector = new Argument<string>("SELECTOR") { Description = "Node name or glob ('web-*', '*' for all)" };
        var noop = new Option<bool>("--noop") { Description = "Ask for a noop run (report only)" };
        var command = new Command("run", "Ask nodes to run now (pushed on their Watch stream, rate-limited)") { selector, noop };
        connection.AddTo(command);
        connection.SetAction(command,
            async (p, c, ct) => await c.RunNowAsync(new RunNowRequest { Selector = p.GetValue(selector)!, Mode = p.GetValue(noop) ? RunMode.Noop : RunMode.Enforce }, AdminConnection.Deadline(ct)),
            r => $"asked {r.Nodes.Count} node(s) to run: {string.Join(", ", r.Nodes)}\n");
        return command;
    }

    private static Command FleetPlan()
    {
        var connection = new AdminConnection();
        var reference = new Option<string?>("--ref") { Description = "Git ref or commit (default: each environment's branch head)" };
        var selector = new Option<string?>("--selector") { Description = "Glob on node names" };
        var command = new Command("fleet-plan", "Every node's catalog at a ref, diffed against what it has now") { reference, selector };
        connection.AddTo(command);
        connection.SetAction(command,
            async (p, c, ct) => await c.FleetPlanAsync(new FleetPlanRequest { Ref = p.GetValue(reference) ?? "", Selector = p.GetValue(selector) ?? "" }, AdminConnection.Deadline(ct)),
            r =>
            {
                var text = new StringBuilder();
                foreach (var plan in r.Plans)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{plan.Node}: {(plan.Error.Length > 0 ? "ERROR " + plan.Error : plan.Changes.Count == 0 ? "no changes" : $"{plan.Changes.Count} change(s)")}\n");
                    foreach (var change in plan.Changes)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"  {change.Action,-6} {change.ResourceId}\n");
                        foreach (var property in change.Changes)
                        {
                            text.Append(CultureInfo.InvariantCulture, $"         {property.Property}: {Show(property.HasBefore ? property.Before : null)} -> {Show(property.HasAfter ? property.After : null)}\n");
                        }
                    }
                }
                return text.Length == 0 ? "(no nodes)\n" : text.ToString();
            });
        return command;
    }

    internal static DateTimeOffset Since(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return DateTimeOffset.UtcNow.AddHours(-24);
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }
        var unit = value[^1];
        if (double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && unit is 'm' or 'h' or 'd')
        {
            return DateTimeOffset.UtcNow - (unit switch { 'm' => TimeSpan.FromMinutes(number), 'h' => TimeSpan.FromHours(number), _ => TimeSpan.FromDays(number) });
        }
        throw new AdminInputException($"--since '{value}' must be a duration (30m, 24h, 7d) or a time (2026-11-01T00:00:00Z).");
    }

    private static string Show(string? value) => value is null ? "(absent)" : value.Replace("\n", "\\n", StringComparison.Ordinal);
}
