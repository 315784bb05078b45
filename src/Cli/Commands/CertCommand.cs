using System.CommandLine;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Cli.Commands;

/// <summary><c>colabo cert list|revoke|renew</c>: certificates the master CA issued.</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var command = new Command("cert", "Certificates issued by the master CA: list, revoke, renew");

        var listConnection = new AdminConnection();
        var subject = new Option<string?>("--subject") { Description = "Only this node or admin" };
        var expired = new Option<bool>("--include-expired") { Description = "Also list expired certificates" };
        var list = new Command("list", "List certificates") { subject, expired };
        listConnection.AddTo(list);
        listConnection.SetAction(list, async (p, c, ct) => await c.ListCertificatesAsync(new ListCertificatesRequest { Subject = p.GetValue(subject) ?? "", IncludeExpired = p.GetValue(expired) }, AdminConnection.Deadline(ct)),
            r => AdminTable.Render(["SERIAL", "SUBJECT", "KIND", "NOT AFTER", "STATE"],
                r.Certificates.Select(x => (IReadOnlyList<string>)[x.Serial, x.Subject, x.Kind, AdminTable.Time(x.NotAfter), x.Revoked ? $"revoked ({x.RevocationReason})" : "valid"])));
        command.Subcommands.Add(list);

        var revokeConnection = new AdminConnection();
        var serial = new Option<string?>("--serial") { Description = "Revoke one certificate" };
        var node = new Option<string?>("--node") { Description = "Revoke every certificate of a node" };
        var reason = new Option<string>("--reason") { Description = "Recorded with the revocation", DefaultValueFactory = _ => "revoked by an admin" };
        var revoke = new Command("revoke", "Revoke a certificate (enforced at once on every replica, pushed to the node)") { serial, node, reason };
        revokeConnection.AddTo(revoke);
        revokeConnection.SetAction(revoke, async (p, c, ct) => await c.RevokeCertificateAsync(new RevokeCertificateRequest
        {
            Serial = p.GetValue(serial) ?? "",
            Node = p.GetValue(node) ?? "",
            Reason = p.GetValue(reason)!,
        }, AdminConnection.Deadline(ct)), r => $"revoked {r.Serials.Count} certificate(s) {string.Join(", ", r.Serials)}\n");
        command.Subcommands.Add(revoke);

        var renewConnection = new AdminConnection();
        var selector = new Argument<string>("SELECTOR") { Description = "A node name or a glob such as 'web-*' ('*' for all)" };
        var renewReason = new Option<string?>("--reason") { Description = "Shown to the agent (default: requested by you)" };
        var renew = new Command("renew", "Tell nodes on Watch to renew their certificates now (connected nodes renew within seconds)") { selector, renewReason };
        renewConnection.AddTo(renew);
        renewConnection.SetAction(renew, async (p, c, ct) => await c.RenewCertificatesAsync(new RenewCertificatesRequest
        {
            Selector = p.GetValue(selector)!,
            Reason = p.GetValue(renewReason) ?? "",
        }, AdminConnection.Deadline(ct)), r => $"asked {r.Nodes.Count} node(s) to renew: {string.Join(", ", r.Nodes)}\n");
        command.Subcommands.Add(renew);
        return command;
    }
}
