using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Colabo.Config.Master.Telemetry;

/// <summary>
/// The master's console logs: "simple" (one readable line per event) or "json" (one JSON object per
/// line with the message template's named values as properties, for journald/Loki/Elasticsearch).
/// Every message goes through [LoggerMessage] templates, so the values are structured either way.
/// </summary>
public static class MasterLogging
{
    public static ILoggerFactory Create(string format, LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(minimum);
            // ASP.NET Core's own per-request lines (request starting, endpoint executed, request finished)
            // would be four lines for every check-in and report: at 10,000 agents that is the bulk of the
            // log and a visible share of the CPU. Calls are traced per request instead (OTLP); the
            // master's own events and ASP.NET Core's warnings and errors still appear.
            builder.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            if (format == "json")
            {
                // With traces exported, each entry carries the trace and span ids of the request it belongs to.
                builder.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
                builder.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.IncludeScopes = true;
                });
            }
            else
            {
                builder.AddSimpleConsole(o => o.SingleLine = true);
            }
        });
}
