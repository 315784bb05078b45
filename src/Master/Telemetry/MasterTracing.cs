using System.Diagnostics;

namespace Colabo.Config.Master.Telemetry;

/// <summary>
/// The master's spans: one per gRPC call and JSON API request (server kind, parented by the caller's W3C
/// <c>traceparent</c>), per compile, per deploy and per store write. Exported through OTLP only when an
/// endpoint is configured; otherwise no listener exists and starting a span costs a null check.
/// </summary>
public static class MasterTracing
{
    public const string SourceName = "Colabo.Config.Master";

    internal static readonly ActivitySource Source = new(SourceName, typeof(MasterTracing).Assembly.GetName().Version?.ToString(3));

    /// <summary>A span for work inside a request (a compile, a deploy); null when nobody listens.</summary>
    internal static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal) => Source.StartActivity(name, kind);

    /// <summary>
    /// Tags a compile span. A cache hit is not a compile: its span is dropped (not recorded), so a
    /// fleet-wide deploy exports one span per catalog actually compiled, not one per node.
    /// </summary>
    internal static void DescribeCompile(Activity? span, string node, string environment, string commit, bool compiled, Compiler.CompileResult result)
    {
        if (span is null)
        {
            return;
        }
        if (!compiled)
        {
            span.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            return;
        }
        span.SetTag("colabo.node", node);
        span.SetTag("colabo.environment", environment);
        span.SetTag("colabo.commit", commit);
        span.SetTag("colabo.compile.errors", result.Errors.Count);
        if (result.Catalog is { } catalog)
        {
            span.SetTag("colabo.catalog.hash", catalog.ContentHash);
            span.SetTag("colabo.catalog.resources", catalog.Resources.Count);
        }
        else
        {
            span.Fail($"{result.Errors.Count} compile error(s); first: {result.Errors.FirstOrDefault()}");
        }
    }

    /// <summary>Marks the current span as failed with a message a person can act on.</summary>
    internal static void Fail(this Activity? activity, string message)
    {
        activity?.SetStatus(ActivityStatusCode.Error, message);
    }
}
