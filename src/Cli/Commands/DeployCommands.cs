using System.CommandLine;
using System.Globalization;
using System.Text;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Cli.Commands;

/// <summary><c>colabo deploy [ENV]</c> and <c>colabo status</c>: publishing the role repository.</summary>
internal static class DeployCommands
{
    public static IEnumerable<Command> Create()
    {
        var connection = new AdminConnection();
        var environment = new Argument<string>("ENV") { Description = "Environment (branch), default main", DefaultValueFactory = _ => "main" };
        var deploy = new Command("deploy", "Fetch the role repository now, compile the branch for every node, publish if it compiles") { environment };
        connection.AddTo(deploy);
        connection.SetAction(deploy, async (p, c, ct) => await c.DeployAsync(new DeployRequest { Environment = p.GetValue(environment)! }, AdminConnection.Deadline(ct)), r =>
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{r.Environment} @ {AdminTable.Short(r.Commit)}: {(r.Published ? $"published, {r.AffectedNodes.Count} node(s) pushed" : "NOT published (nodes keep their last good catalog)")}\n");
            foreach (var e in r.Errors)
            {
                text.Append(CultureInfo.InvariantCulture, $"{e.File}:{e.Line}:{e.Column}: {e.Message}{(e.Node.Length > 0 ? $" (node {e.Node})" : "")}\n");
            }
            return text.ToString();
        });
        yield return deploy;

        var statusConnection = new AdminConnection();
        var status = new Command("status", "The role repository: published and head commit per environment, the last compile errors");
        statusConnection.AddTo(status);
        statusConnection.SetAction(status, async (_, c, ct) => await c.GetRepoStatusAsync(new RepoStatusRequest(), AdminConnection.Deadline(ct)), r =>
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"repo: {(r.Repo.Length > 0 ? r.Repo : "(none; start the master with --repo)")}\n");
            text.Append(AdminTable.Render(["ENV", "PUBLISHED", "HEAD", "PUBLISHED AT", "LAST FAILED"],
                r.Environments.Select(e => (IReadOnlyList<string>)[e.Environment, AdminTable.Short(e.PublishedCommit), AdminTable.Short(e.HeadCommit), AdminTable.Time(e.PublishedAt), AdminTable.Short(e.LastFailedCommit)])));
            foreach (var e in r.Environments.SelectMany(e => e.LastErrors))
            {
                text.Append(CultureInfo.InvariantCulture, $"{e.File}:{e.Line}:{e.Column}: {e.Message}{(e.Node.Length > 0 ? $" (node {e.Node})" : "")}\n");
            }
            return text.ToString();
        });
        yield return status;
    }
}
