using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Cli.Commands;

/// <summary>
/// <c>colabo bootstrap cloud-init --master URL [--token TOKEN --ca-fingerprint F | --roles ROLES --expires 1h]</c>:
/// prints #cloud-config user-data that installs the agent and enrolls it (docs/agent-daemon.md).
/// </summary>
internal static class BootstrapCommand
{
    public static Command Create()
    {
        var command = new Command("bootstrap", "Produce what a new VM needs to join: cloud-init user-data");
        var token = new Option<string?>("--token") { Description = "An existing enrollment token (from `colabo token create`)" };
        var fingerprint = new Option<string?>("--ca-fingerprint") { Description = "SHA-256 of the master CA (hex); default: from --ca / the data dir, or from the token the master creates" };
        var roles = new Option<string?>("--roles") { Description = "Create a one-time token on the master for these roles (comma-separated); needs an admin credential" };
        var expires = new Option<string>("--expires") { Description = "Lifetime of a created token: 30m, 1h, 7d", DefaultValueFactory = _ => "1h" };
        var pattern = new Option<string>("--pattern") { Description = "Glob the node name must match, for a created token", DefaultValueFactory = _ => "*" };
        var environment = new Option<string>("--env") { Description = "Environment (branch) for a created token", DefaultValueFactory = _ => "main" };
        var nodeName = new Option<string?>("--node-name") { Description = "Node name the agent enrolls as (default: the VM's FQDN)" };
        var interval = new Option<string?>("--interval") { Description = "Agent run interval written to agent.yaml (default 30m)" };
        var packageUrl = new Option<string?>("--package-url") { Description = "Where the VM downloads the agent .deb (default: MASTER/downloads/colabo-agent_amd64.deb)" };
        var packageSha = new Option<string?>("--package-sha256") { Description = "SHA-256 of the .deb; default: fetched from PACKAGE_URL.sha256 over TLS verified by the master CA" };
        var package = new Option<string?>("--package") { Description = "A local .deb whose SHA-256 is embedded (instead of --package-sha256)" };
        var cloudInit = new Command("cloud-init", "Print #cloud-config user-data: install the agent (checksum verified), write its config, the CA fingerprint and the token, enable the service")
        {
            token, fingerprint, roles, expires, pattern, environment, nodeName, interval, packageUrl, packageSha, package,
        };
        cloudInit.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var master = parse.GetValue(AdminConnection.Master) ?? Environment.GetEnvironmentVariable("COLABO_MASTER")
                    ?? throw new AdminInputException("--master URL is required: the address the VM will reach the master at.");
                if (!Uri.TryCreate(master, UriKind.Absolute, out var masterUri) || masterUri.Scheme != "https")
                {
                    throw new AdminInputException($"--master '{master}' must be https://HOST:PORT.");
                }

                var givenToken = parse.GetValue(token);
                var givenRoles = parse.GetValue(roles);
                if ((givenToken is null) == (givenRoles is null))
                {
                    throw new AdminInputException("give exactly one of --token TOKEN (an existing token) or --roles ROLES (create a token now).");
                }

                var ca = parse.GetValue(fingerprint) is { } f ? Normalize(f) : LocalCaFingerprint(parse);
                string secret;
                if (givenToken is not null)
                {
                    secret = givenToken.Trim();
                    if (ca is null)
                    {
                        throw new AdminInputException("the CA fingerprint is needed with --token: --ca-fingerprint F, or --ca FILE / --data-dir DIR to read it from the CA certificate.");
                    }
                }
                else
                {
                    var client = AdminConnection.Connect(parse, out var channel);
                    using (channel)
                    {
                        var request = new CreateTokenRequest
                        {
                            NamePattern = parse.GetValue(pattern)!,
                            Environment = parse.GetValue(environment)!,
                            ExpiresIn = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(DateTimeOffset.UtcNow - NodeCommands.Since(parse.GetValue(expires))),
                            MaxUses = 1,
                            Description = "colabo bootstrap cloud-init",
                        };
                        request.Roles.AddRange(givenRoles!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                        var created = await client.CreateTokenAsync(request, AdminConnection.Deadline(ct));
                        secret = created.Token;
                        if (ca is not null && ca != Normalize(created.CaFingerprint))
                        {
                            throw new AdminInputException($"the master's CA fingerprint {created.CaFingerprint} differs from the given {ca}.");
                        }

                        ca = Normalize(created.CaFingerprint);
                    }
                }

                if (ca.Length != 64 || !ca.All(char.IsAsciiHexDigit))
                {
                    throw new AdminInputException($"'{ca}' is not a SHA-256 fingerprint (64 hex digits).");
                }

                var sha = parse.GetValue(packageSha) is { } s ? Normalize(s)
                    : parse.GetValue(package) is { } file ? Convert.ToHexStringLower(await SHA256.HashDataAsync(File.OpenRead(file), ct))
                    : null;
                if (sha is not null && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
                {
                    throw new AdminInputException($"--package-sha256 '{sha}' is not a SHA-256 (64 hex digits).");
                }

                var userData = new BootstrapUserData
                {
                    Master = masterUri,
                    Token = secret,
                    CaFingerprint = ca,
                    NodeName = parse.GetValue(nodeName),
                    Interval = parse.GetValue(interval),
                    PackageUrl = parse.GetValue(packageUrl) is { } u ? new Uri(u) : new Uri(masterUri, "/downloads/colabo-agent_amd64.deb"),
                    PackageSha256 = sha,
                };
                await output.WriteAsync(userData.Render());
                return ExitCodes.Ok;
            }
            catch (AdminInputException e)
            {
                await error.WriteLineAsync($"colabo bootstrap cloud-init: {e.Message}");
                return ExitCodes.InputError;
            }
            catch (RpcException e)
            {
                await error.WriteLineAsync($"colabo bootstrap cloud-init: creating the token failed: {e.StatusCode}: {e.Status.Detail}");
                return AdminConnection.RemoteError;
            }
        });
        command.Subcommands.Add(cloudInit);
        return command;
    }

    private static string Normalize(string fingerprint)
    {
        var text = fingerprint.Trim();
        if (text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..];
        }

        return text.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
    }

    /// <summary>The fingerprint of --ca / COLABO_CA / DATA_DIR/ca.crt when one is at hand.</summary>
    private static string? LocalCaFingerprint(ParseResult parse)
    {
        var dataDir = parse.GetValue(AdminConnection.DataDir) ?? Environment.GetEnvironmentVariable("COLABO_DATA_DIR");
        var file = parse.GetValue(AdminConnection.Ca) ?? Environment.GetEnvironmentVariable("COLABO_CA") ?? (dataDir is null ? null : Path.Combine(dataDir, "ca.crt"));
        if (file is null || !File.Exists(file))
        {
            return null;
        }

        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }
}
