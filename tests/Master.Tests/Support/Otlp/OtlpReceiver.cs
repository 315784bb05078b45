using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Master.Tests.Support.Otlp;

/// <summary>
/// A stand-in OTLP collector (no OpenTelemetry Collector is installable here: not in Debian, and no
/// container registry is reachable): Kestrel on loopback answering OTLP/HTTP <c>POST /v1/traces</c>
/// (application/x-protobuf) and OTLP/gRPC <c>/opentelemetry.proto.collector.trace.v1.TraceService/Export</c>,
/// decoding each export into spans the test can wait for.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<(Func<IReadOnlyList<ReceivedSpan>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Content types of the exports received, e.g. application/x-protobuf.</summary>
    public List<string> ContentTypes { get; } = [];

    public static async Task<OtlpReceiver> StartAsync(bool http2Only = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            var body = await ReadAllAsync(http.Request.Body);
            receiver.Add(http.Request.ContentType ?? "", ExportTraceServiceRequest.Parser.ParseFrom(body));
            http.Response.ContentType = "application/x-protobuf";
            await http.Response.Body.WriteAsync(Google.Protobuf.MessageExtensions.ToByteArray(new ExportTraceServiceResponse()));
        });
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", async (HttpContext http) =>
        {
            // gRPC framing: 1 byte compressed flag, 4 bytes big-endian length, the message.
            var body = await ReadAllAsync(http.Request.Body);
            var length = (body[1] << 24) | (body[2] << 16) | (body[3] << 8) | body[4];
            receiver.Add(http.Request.ContentType ?? "", ExportTraceServiceRequest.Parser.ParseFrom(body, 5, length));
            http.Response.ContentType = "application/grpc";
            http.Response.AppendTrailer("grpc-status", "0");
            var reply = Google.Protobuf.MessageExtensions.ToByteArray(new ExportTraceServiceResponse());
            var frame = new byte[5 + reply.Length];
            frame[4] = (byte)reply.Length;
            reply.CopyTo(frame, 5);
            await http.Response.Body.WriteAsync(frame);
        });
        await app.StartAsync();
        var address = app.Urls.First();
        receiver.Url = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        return receiver;
    }

    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Completes when the spans received so far satisfy <paramref name="condition"/>.</summary>
    public Task WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> condition)
    {
        lock (_spans)
        {
            if (condition(_spans))
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            return done.Task;
        }
    }

    private void Add(string contentType, ExportTraceServiceRequest export)
    {
        lock (_spans)
        {
            ContentTypes.Add(contentType);
            foreach (var resource in export.ResourceSpans)
            {
                var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";
                foreach (var scope in resource.ScopeSpans)
                {
                    foreach (var span in scope.Spans)
                    {
                        _spans.Add(new ReceivedSpan(service, scope.Scope?.Name ?? "", span));
                    }
                }
            }
            foreach (var waiter in _waiters.Where(w => w.Condition(_spans)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One decoded span with its ids in lower-case hex, as W3C traceparent writes them.</summary>
public sealed record ReceivedSpan(string Service, string Scope, Span Span)
{
    public string Name => Span.Name;
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);
    public string SpanId => Convert.ToHexStringLower(Span.SpanId.Span);
    public string ParentSpanId => Convert.ToHexStringLower(Span.ParentSpanId.Span);

    public string? Attribute(string key) => Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value switch
    {
        null => null,
        { ValueCase: AnyValue.ValueOneofCase.StringValue } v => v.StringValue,
        { ValueCase: AnyValue.ValueOneofCase.IntValue } v => v.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        { ValueCase: AnyValue.ValueOneofCase.BoolValue } v => v.BoolValue ? "true" : "false",
        var v => v.ToString(),
    };
}
