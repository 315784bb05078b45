using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Metrics;
using Colabo.Config.Master.Security;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Colabo.Config.Master.Api;

/// <summary>
/// The admin API as JSON over HTTPS (proto3 JSON mapping), for curl and scripts:
/// <c>POST /api/v1/{Method}</c> with the request message as the body (e.g. /api/v1/ListNodes), plus
/// GET shortcuts for the common reads and <c>POST /api/v1/deploy</c> for git webhooks. Authenticated
/// by <c>Authorization: Bearer TOKEN</c> or an admin/viewer client certificate.
/// </summary>
public static class JsonApi
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public static void Map(IEndpointRouteBuilder endpoints, AdminApi api, ApiTokens tokens, RevocationList revocations, MasterMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var methods = new Dictionary<string, Func<CallerIdentity, string, CancellationToken, Task<IMessage>>>(StringComparer.OrdinalIgnoreCase)
        {
            ["ListNodes"] = Bind<ListNodesRequest>(async (c, r, ct) => await api.ListNodesAsync(c, r, ct)),
            ["GetNode"] = Bind<GetNodeRequest>(async (c, r, ct) => await api.GetNodeAsync(c, r, ct)),
            ["ListReports"] = Bind<ListReportsRequest>(async (c, r, ct) => await api.ListReportsAsync(c, r, ct)),
            ["GetResourceHistory"] = Bind<ResourceHistoryRequest>(async (c, r, ct) => await api.GetResourceHistoryAsync(c, r, ct)),
            ["QueryDrift"] = Bind<DriftQueryRequest>(async (c, r, ct) => await api.QueryDriftAsync(c, r, ct)),
            ["Plan"] = Bind<PlanRequest>(async (c, r, ct) => await api.PlanAsync(c, r, ct)),
            ["FleetPlan"] = Bind<FleetPlanRequest>(async (c, r, ct) => await api.FleetPlanAsync(c, r, ct)),
            ["RunNow"] = Bind<RunNowRequest>(async (c, r, ct) => await api.RunNowAsync(c, r, ct)),
            ["CreateToken"] = Bind<CreateTokenRequest>(async (c, r, ct) => await api.CreateTokenAsync(c, r, ct)),
            ["ListTokens"] = Bind<ListTokensRequest>(async (c, _, ct) => await api.ListTokensAsync(c, ct)),
            ["RevokeToken"] = Bind<RevokeTokenRequest>(async (c, r, ct) => await api.RevokeTokenAsync(c, r, ct)),
            ["ListCertificates"] = Bind<ListCertificatesRequest>(async (c, r, ct) => await api.ListCertificatesAsync(c, r, ct)),
            ["RevokeCertificate"] = Bind<RevokeCertificateRequest>(async (c, r, ct) => await api.RevokeCertificateAsync(c, r, ct)),
            ["RenewCertificates"] = Bind<RenewCertificatesRequest>(async (c, r, ct) => await api.RenewCertificatesAsync(c, r, ct)),
            ["IssueAdminCertificate"] = Bind<IssueAdminCertificateRequest>(async (c, r, ct) => await api.IssueAdminCertificateAsync(c, r, ct)),
            ["Deploy"] = Bind<DeployRequest>(async (c, r, ct) => await api.DeployAsync(c, r, ct)),
            ["GetRepoStatus"] = Bind<RepoStatusRequest>(async (c, _, ct) => await api.GetRepoStatusAsync(c, ct)),
            ["SetSecret"] = Bind<SetSecretRequest>(async (c, r, ct) => await api.SetSecretAsync(c, r, ct)),
            ["ListSecrets"] = Bind<ListSecretsRequest>(async (c, _, ct) => await api.ListSecretsAsync(c, ct)),
            ["DeleteSecret"] = Bind<DeleteSecretRequest>(async (c, r, ct) => await api.DeleteSecretAsync(c, r, ct)),
        };

        async Task Invoke(HttpContext http, string method, string body)
        {
            var started = TimeProvider.System.GetTimestamp();
            if (!methods.TryGetValue(method, out var handler))
            {
                await Error(http, 404, "not_found", $"No admin method '{method}'; see docs/master.md for the list.");
                return;
            }
            var caller = await AuthenticateAsync(http, tokens, revocations);
            if (caller is null)
            {
                await Error(http, 401, "unauthenticated", "Send `Authorization: Bearer TOKEN` (e.g. the data dir's admin.token) or an admin client certificate.");
                return;
            }
            try
            {
                var response = await handler(caller, string.IsNullOrWhiteSpace(body) ? "{}" : body, http.RequestAborted);
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(s_formatter.Format(response), http.RequestAborted);
            }
            catch (MasterException e)
            {
                await Error(http, Surface.ToHttpStatus(e.Kind), e.Kind.ToString(), e.Message);
            }
            catch (InvalidProtocolBufferException e)
            {
                await Error(http, 400, "invalid_argument", $"The body is not a valid {method} request in proto3 JSON: {e.Message}");
            }
            metrics.ObserveLatency("json/" + method, TimeProvider.System.GetElapsedTime(started));
        }

        endpoints.MapPost("/api/v1/{method}", async (HttpContext http, string method) =>
        {
            if (CrossSiteGuard.IsCrossSite(http.Request))
            {
                await Error(http, 403, "cross_site", "The master refuses requests a browser sends on behalf of another site (Origin/Sec-Fetch-Site).");
                return;
            }
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            await Invoke(http, method.Equals("deploy", StringComparison.Ordinal) ? "Deploy" : method.Equals("run", StringComparison.Ordinal) ? "RunNow" : method, body);
        });
        endpoints.MapGet("/api/v1/nodes", (HttpContext http) =>
            Invoke(http, "ListNodes", Json(("selector", http.Request.Query["selector"]), ("status", http.Request.Query["status"]))));
        endpoints.MapGet("/api/v1/nodes/{name}", (HttpContext http, string name) => Invoke(http, "GetNode", Json(("name", name))));
        endpoints.MapGet("/api/v1/nodes/{name}/reports", (HttpContext http, string name) =>
            Invoke(http, "ListReports", Json(("node", name), ("since", http.Request.Query["since"]), ("limit", http.Request.Query["limit"]))));
        endpoints.MapGet("/api/v1/drift", (HttpContext http) => Invoke(http, "QueryDrift", Json(
            ("node", http.Request.Query["node"]), ("role", http.Request.Query["role"]), ("resource", http.Request.Query["resource"]),
            ("since", http.Request.Query["since"]), ("until", http.Request.Query["until"]), ("includeIntentional", http.Request.Query["include_intentional"]))));
        endpoints.MapGet("/api/v1/status", (HttpContext http) => Invoke(http, "GetRepoStatus", "{}"));
        endpoints.MapGet("/api/v1/tokens", (HttpContext http) => Invoke(http, "ListTokens", "{}"));
        endpoints.MapGet("/api/v1/certificates", (HttpContext http) => Invoke(http, "ListCertificates", Json(("subject", http.Request.Query["subject"]))));
        endpoints.MapGet("/api/v1/secrets", (HttpContext http) => Invoke(http, "ListSecrets", "{}"));
        endpoints.MapGet("/metrics", (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return http.Response.WriteAsync(metrics.Render(), http.RequestAborted);
        });
    }

    private static Func<CallerIdentity, string, CancellationToken, Task<IMessage>> Bind<TRequest>(Func<CallerIdentity, TRequest, CancellationToken, Task<IMessage>> call)
        where TRequest : IMessage<TRequest>, new() =>
        (caller, body, ct) => call(caller, s_parser.Parse<TRequest>(body), ct);

    private static string Json(params (string Key, Microsoft.Extensions.Primitives.StringValues Value)[] fields)
    {
        var present = fields.Where(f => !string.IsNullOrEmpty(f.Value.ToString())).ToList();
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in present)
            {
                var text = value.ToString();
                if (key is "limit" && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    writer.WriteNumber(key, number);
                }
                else if (key is "includeIntentional")
                {
                    writer.WriteBoolean(key, text is "true" or "1" or "yes");
                }
                else
                {
                    writer.WriteString(key, text);
                }
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static async Task<CallerIdentity?> AuthenticateAsync(HttpContext http, ApiTokens tokens, RevocationList revocations)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
        }
        // A client certificate was already chained to the master CA at the handshake.
        var certificate = await http.Connection.GetClientCertificateAsync(http.RequestAborted);
        if (certificate is null || revocations.IsRevoked(certificate.SerialNumber))
        {
            return null;
        }
        return CallerIdentity.FromCertificate(certificate);
    }

    private static Task Error(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
        return http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted).AsTask();
    }
}
