using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Cli.Commands;

/// <summary>
/// How admin commands reach a master: <c>--data-dir DIR</c> on the master host (master.url, ca.crt,
/// admin.crt, admin.key from the data dir), or <c>--master URL --ca FILE --cert FILE --key FILE</c>,
/// or the environment (COLABO_DATA_DIR, COLABO_MASTER, COLABO_CA, COLABO_CERT, COLABO_KEY).
/// </summary>
internal sealed class AdminConnection
{
    public const int RemoteError = 4;

    public static Option<string?> DataDir { get; } = new("--data-dir") { Recursive = true, Description = "The master's data dir (on the master host): uses its master.url, ca.crt and admin credential" };
    public static Option<string?> Master { get; } = new("--master") { Recursive = true, Description = "Master URL, e.g. https://master.example.org:8140 (env COLABO_MASTER)" };
    public static Option<string?> Ca { get; } = new("--ca") { Recursive = true, Description = "CA certificate file to trust (env COLABO_CA)" };
    public static Option<string?> Cert { get; } = new("--cert") { Recursive = true, Description = "Admin or viewer client certificate file (env COLABO_CERT)" };
    public static Option<string?> Key { get; } = new("--key") { Recursive = true, Description = "Private key of --cert (env COLABO_KEY)" };
    public Option<string> Format { get; } = new("--format") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };

    /// <summary>The connection options, on the root so that `colabo --data-dir DIR nodes` and `colabo nodes --data-dir DIR` both work.</summary>
    public static void AddConnectionOptions(Command root)
    {
        root.Options.Add(DataDir);
        root.Options.Add(Master);
        root.Options.Add(Ca);
        root.Options.Add(Cert);
        root.Options.Add(Key);
    }

    public void AddTo(Command command) => command.Options.Add(Format);

    public bool Json(ParseResult parse) => parse.GetValue(Format) == "json";

    public static AdminService.AdminServiceClient Connect(ParseResult parse, out IDisposable channel)
    {
        var dataDir = parse.GetValue(DataDir) ?? Environment.GetEnvironmentVariable("COLABO_DATA_DIR");
        string? From(Option<string?> option, string env, string? file) =>
            parse.GetValue(option) ?? Environment.GetEnvironmentVariable(env) ?? (dataDir is null || file is null ? null : Path.Combine(dataDir, file));
        var url = parse.GetValue(Master) ?? Environment.GetEnvironmentVariable("COLABO_MASTER")
            ?? (dataDir is not null && File.Exists(Path.Combine(dataDir, "master.url")) ? File.ReadAllText(Path.Combine(dataDir, "master.url")).Trim() : null)
            ?? throw new AdminInputException("Say which master: --data-dir DIR on the master host, or --master URL (or COLABO_MASTER).");
        var caFile = From(Ca, "COLABO_CA", "ca.crt") ?? throw new AdminInputException("Say which CA to trust: --ca FILE (or COLABO_CA).");
        var certFile = From(Cert, "COLABO_CERT", "admin.crt") ?? throw new AdminInputException("An admin credential is needed: --cert FILE --key FILE (or COLABO_CERT, COLABO_KEY).");
        var keyFile = From(Key, "COLABO_KEY", "admin.key") ?? throw new AdminInputException("--key FILE is needed with --cert.");
        foreach (var file in new[] { caFile, certFile, keyFile })
        {
            if (!File.Exists(file))
            {
                throw new AdminInputException($"{file} does not exist.");
            }
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "https")
        {
            throw new AdminInputException($"Master URL '{url}' must be https://HOST:PORT.");
        }
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        using var pem = X509Certificate2.CreateFromPem(File.ReadAllText(certFile), File.ReadAllText(keyFile));
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var rpc = new RpcChannel(uri, new RpcChannelOptions { ClientCertificate = certificate, TrustedCertificateAuthority = ca });
        channel = rpc;
        return new AdminService.AdminServiceClient(rpc);
    }

    public static CallOptions Deadline(CancellationToken ct) => new(Deadline: DateTime.UtcNow.AddSeconds(60), CancellationToken: ct);

    /// <summary>Runs one admin call and prints its answer as a table or proto3 JSON.</summary>
    public void SetAction<T>(Command command, Func<ParseResult, AdminService.AdminServiceClient, CancellationToken, Task<T>> call, Func<T, string> table)
        where T : Google.Protobuf.IMessage
    {
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var client = Connect(parse, out var channel);
                using (channel)
                {
                    var answer = await call(parse, client, ct);
                    await output.WriteAsync(Json(parse)
                        ? new Google.Protobuf.JsonFormatter(Google.Protobuf.JsonFormatter.Settings.Default.WithIndentation().WithFormatDefaultValues(true)).Format(answer) + "\n"
                        : table(answer));
                }
                return ExitCodes.Ok;
            }
            catch (AdminInputException e)
            {
                await error.WriteLineAsync($"colabo {command.Name}: {e.Message}");
                return ExitCodes.InputError;
            }
            catch (RpcException e)
            {
                await error.WriteLineAsync($"colabo {command.Name}: {e.StatusCode}: {e.Status.Detail}");
                return RemoteError;
            }
        });
    }
}

internal sealed class AdminInputException(string message) : Exception(message)
{
    public AdminInputException()
        : this("bad input")
    {
    }

    public AdminInputException(string message, Exception inner)
        : this(message + ": " + inner?.Message)
    {
    }
}
