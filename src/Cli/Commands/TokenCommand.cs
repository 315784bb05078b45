using System.CommandLine;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Cli.Commands;

/// <summary><c>colabo token create|list|revoke</c>: enrollment tokens.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Enrollment tokens: create (shown once), list, revoke");

        var connection = new AdminConnection();
        var pattern = new Option<string>("--pattern") { Description = "Glob the node name must match (default '*')", DefaultValueFactory = _ => "*" };
        var roles = new Option<string?>("--roles") { Description = "Initial roles, comma-separated" };
        var environment = new Option<string>("--env") { Description = "Environment (branch) the node follows", DefaultValueFactory = _ => "main" };
        var expires = new Option<string>("--expires") { Description = "Lifetime: 30m, 1h, 7d (default 1h)", DefaultValueFactory = _ => "1h" };
        var uses = new Option<int>("--uses") { Description = "How many enrollments (default 1)", DefaultValueFactory = _ => 1 };
        var description = new Option<string?>("--description") { Description = "A note for `token list`" };
        var create = new Command("create", "Create an enrollment token; prints the token once") { pattern, roles, environment, expires, uses, description };
        connection.AddTo(create);
        connection.SetAction(create, async (p, c, ct) =>
        {
            var request = new CreateTokenRequest
            {
                NamePattern = p.GetValue(pattern)!,
                Environment = p.GetValue(environment)!,
                ExpiresIn = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(DateTimeOffset.UtcNow - NodeCommands.Since(p.GetValue(expires))),
                MaxUses = p.GetValue(uses),
                Description = p.GetValue(description) ?? "",
            };
            request.Roles.AddRange((p.GetValue(roles) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return await c.CreateTokenAsync(request, AdminConnection.Deadline(ct));
        }, r => $"{r.Token}\n# id {r.Info.Id}, expires {AdminTable.Time(r.Info.ExpiresAt)}, {r.Info.MaxUses} use(s), names '{r.Info.NamePattern}'; CA sha256 {r.CaFingerprint}\n");
        command.Subcommands.Add(create);

        var listConnection = new AdminConnection();
        var list = new Command("list", "List enrollment tokens (never their secrets)");
        listConnection.AddTo(list);
        listConnection.SetAction(list, async (_, c, ct) => await c.ListTokensAsync(new ListTokensRequest(), AdminConnection.Deadline(ct)),
            r => AdminTable.Render(["ID", "PATTERN", "ROLES", "ENV", "USES", "EXPIRES", "STATE", "DESCRIPTION"],
                r.Tokens.Select(t => (IReadOnlyList<string>)[t.Id, t.NamePattern, string.Join(",", t.Roles), t.Environment, $"{t.Uses}/{t.MaxUses}", AdminTable.Time(t.ExpiresAt),
                    t.Revoked ? "revoked" : t.Uses >= t.MaxUses ? "used" : t.ExpiresAt.ToDateTimeOffset() < DateTimeOffset.UtcNow ? "expired" : "valid", t.Description])));
        command.Subcommands.Add(list);

        var revokeConnection = new AdminConnection();
        var id = new Argument<string>("ID") { Description = "Token id (from `token list`)" };
        var revoke = new Command("revoke", "Revoke an enrollment token") { id };
        revokeConnection.AddTo(revoke);
        revokeConnection.SetAction(revoke, async (p, c, ct) => await c.RevokeTokenAsync(new RevokeTokenRequest { Id = p.GetValue(id)! }, AdminConnection.Deadline(ct)),
            r => r.Revoked ? "revoked\n" : "no such valid token\n");
        command.Subcommands.Add(revoke);
        return command;
    }
}
