using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Colabo.Config.Master.Telemetry;

/// <summary>
/// Wires OpenTelemetry's SDK and OTLP exporter by hand (the hosting extensions are not installable here,
/// see DESIGN.md): the master's spans go to the configured collector in batches.
/// </summary>
public static class TraceExport
{
    /// <summary>Null when <see cref="MasterOptions.OtlpEndpoint"/> is not set.</summary>
    public static TracerProvider? Create(MasterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OtlpEndpoint is not { } endpoint)
        {
            return null;
        }
        var grpc = options.OtlpProtocol == "grpc";
        return Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("colabo-master",
                serviceVersion: typeof(TraceExport).Assembly.GetName().Version?.ToString(3),
                serviceInstanceId: System.Net.Dns.GetHostName()))
            .AddSource(MasterTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddOtlpExporter(otlp =>
            {
                otlp.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                otlp.Endpoint = grpc ? endpoint : TracesUrl(endpoint);
                otlp.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 2000;
            })
            .Build();
    }

    /// <summary>OTLP/HTTP wants the signal path; a bare collector URL (http://host:4318) gets /v1/traces.</summary>
    public static Uri TracesUrl(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, "/v1/traces") : endpoint;
    }
}
