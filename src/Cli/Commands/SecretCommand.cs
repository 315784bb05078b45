using System.CommandLine;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Cli.Commands;

/// <summary><c>colabo secret set|list|rm</c>: values are written, never read back.</summary>
internal static class SecretCommand
{
    public static Command Create()
    {
        var command = new Command("secret", "Secrets referenced by roles as {secret: NAME}: set, list names, rm");

        var setConnection = new AdminConnection();
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var fromFile = new Option<string?>("--from-file") { Description = "Read the value from a file (default: standard input, so it stays out of shell history)" };
        var set = new Command("set", "Set a secret's value") { name, fromFile };
        setConnection.AddTo(set);
        setConnection.SetAction(set, async (p, c, ct) =>
        {
            var file = p.GetValue(fromFile);
            var value = file is not null
                ? File.Exists(file) ? await File.ReadAllTextAsync(file, ct) : throw new AdminInputException($"{file} does not exist.")
                : await Console.In.ReadToEndAsync(ct);
            return await c.SetSecretAsync(new SetSecretRequest { Name = p.GetValue(name)!, Value = value.TrimEnd('\n') }, AdminConnection.Deadline(ct));
        }, _ => "set\n");
        command.Subcommands.Add(set);

        var listConnection = new AdminConnection();
        var list = new Command("list", "List secret names");
        listConnection.AddTo(list);
        listConnection.SetAction(list, async (_, c, ct) => await c.ListSecretsAsync(new ListSecretsRequest(), AdminConnection.Deadline(ct)),
            r => r.Names.Count == 0 ? "(none)\n" : string.Join("\n", r.Names) + "\n");
        command.Subcommands.Add(list);

        var rmConnection = new AdminConnection();
        var rmName = new Argument<string>("NAME") { Description = "Secret name" };
        var rm = new Command("rm", "Delete a secret") { rmName };
        rmConnection.AddTo(rm);
        rmConnection.SetAction(rm, async (p, c, ct) => await c.DeleteSecretAsync(new DeleteSecretRequest { Name = p.GetValue(rmName)! }, AdminConnection.Deadline(ct)),
            r => r.Deleted ? "deleted\n" : "no such secret\n");
        command.Subcommands.Add(rm);
        return command;
    }
}
