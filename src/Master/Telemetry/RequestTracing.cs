using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Colabo.Config.Master.Telemetry;

/// <summary>
/// One server span per gRPC call (named like the method, <c>colabo.config.v1.AgentService/GetCatalog</c>,
/// with the rpc.* attributes of the OpenTelemetry semantic conventions) and per JSON API request. The
/// caller's W3C <c>traceparent</c>/<c>tracestate</c> headers, when valid, make the span a child of the
/// caller's; without them the span starts a new trace.
/// </summary>
internal static class RequestTracing
{
    public static async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!MasterTracing.Source.HasListeners() || Skipped(http.Request.Path))
        {
            await next(http);
            return;
        }
        var grpc = http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        var parent = ParentOf(http.Request.Headers);
        // ASP.NET Core may have made an unrecorded activity of its own for this request; a span parented
        // to it would point at a span no collector ever receives.
        Activity.Current = null;
        var path = http.Request.Path.Value ?? "/";
        using var activity = MasterTracing.Source.StartActivity(grpc ? path.TrimStart('/') : $"{http.Request.Method} {RouteOf(path)}", ActivityKind.Server, parent);
        if (activity is null)
        {
            await next(http);
            return;
        }
        if (activity.IsAllDataRequested)
        {
            Describe(activity, http, grpc, path);
        }
        try
        {
            await next(http);
        }
        catch (Exception e)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        Complete(activity, http, grpc);
    }

    private static bool Skipped(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.Ordinal) || path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal);

    private static ActivityContext ParentOf(IHeaderDictionary headers)
    {
        var traceparent = headers["traceparent"].ToString();
        return traceparent.Length > 0 && ActivityContext.TryParse(traceparent, headers["tracestate"].ToString(), isRemote: true, out var context)
            ? context
            : default;
    }

    /// <summary>Node names and other values stay out of span names (they would explode a backend's span-name index).</summary>
    private static string RouteOf(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is ["api", "v1", "nodes", _, ..] ? "/api/v1/nodes/{name}" + (segments.Length > 4 ? "/" + string.Join('/', segments[4..]) : "") : path;
    }

    private static void Describe(Activity activity, HttpContext http, bool grpc, string path)
    {
        if (grpc)
        {
            var slash = path.LastIndexOf('/');
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", path[1..Math.Max(1, slash)]);
            activity.SetTag("rpc.method", path[(slash + 1)..]);
        }
        else
        {
            activity.SetTag("http.request.method", http.Request.Method);
            activity.SetTag("url.path", path);
        }
        activity.SetTag("client.address", http.Connection.RemoteIpAddress?.ToString());
        activity.SetTag("server.port", http.Connection.LocalPort);
        if (http.Connection.ClientCertificate is { } certificate)
        {
            activity.SetTag("colabo.caller", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }
    }

    private static void Complete(Activity activity, HttpContext http, bool grpc)
    {
        if (!grpc)
        {
            activity.SetTag("http.response.status_code", http.Response.StatusCode);
            if (http.Response.StatusCode >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
            return;
        }
        // A gRPC status travels in the trailers, or in the headers of a trailers-only answer.
        var trailers = http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers?["grpc-status"].ToString() is { Length: > 0 } fromTrailers ? fromTrailers : http.Response.Headers["grpc-status"].ToString();
        if (int.TryParse(status, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            activity.SetTag("rpc.grpc.status_code", code);
            // Server-side, only these codes mean the server failed (semantic conventions for gRPC).
            if (code is 2 or 4 or 12 or 13 or 14 or 15)
            {
                var message = trailers?["grpc-message"].ToString() is { Length: > 0 } m ? m : http.Response.Headers["grpc-message"].ToString();
                activity.SetStatus(ActivityStatusCode.Error, Uri.UnescapeDataString(message));
            }
        }
    }
}
