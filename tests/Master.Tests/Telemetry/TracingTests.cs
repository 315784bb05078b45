using System.Diagnostics;
using System.Net.Http.Headers;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Telemetry;
using Colabo.Config.Master.Tests.Support;
using Colabo.Config.Master.Tests.Support.Otlp;
using Colabo.Config.Rpc;

namespace Colabo.Config.Master.Tests.Telemetry;

/// <summary>
/// Traces leave the master through OTLP to a receiver on loopback. The receiver is a stand-in for an
/// OpenTelemetry Collector (none can be installed here); it decodes the real OTLP protobuf export.
/// </summary>
public sealed class TracingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 90_000)]
    public async Task A_catalog_request_is_a_child_span_of_the_callers_traceparent_with_its_compile_and_store_writes_below_it()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo, o => o with { OtlpEndpoint = receiver.Url });
        var agent = await master.EnrollAsync("web-1");
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        var headers = new Metadata { { "traceparent", $"00-{traceId}-{callerSpan}-01" } };

        await agent.Client.GetCatalogAsync(new GetCatalogRequest { Facts = TestMaster.Facts("web-1") }, new CallOptions(Headers: headers, Deadline: DateTime.UtcNow.AddSeconds(20)));
        master.Host.FlushTraces();
        await receiver.WaitForAsync(spans => spans.Any(s => s.TraceId == traceId && s.Name == "colabo.config.v1.AgentService/GetCatalog")).WaitAsync(Wait);

        var trace = receiver.Spans.Where(s => s.TraceId == traceId).ToList();
        var call = Assert.Single(trace, s => s.Name == "colabo.config.v1.AgentService/GetCatalog");
        Assert.Equal(callerSpan, call.ParentSpanId);
        Assert.Equal(SpanKind.Server, call.Span.Kind);
        Assert.Equal(("grpc", "colabo.config.v1.AgentService", "GetCatalog", "0", "web-1"),
            (call.Attribute("rpc.system"), call.Attribute("rpc.service"), call.Attribute("rpc.method"), call.Attribute("rpc.grpc.status_code"), call.Attribute("colabo.caller")));
        Assert.Equal(("colabo-master", MasterTracing.SourceName), (call.Service, call.Scope));
        var compile = Assert.Single(trace, s => s.Name == "compile");
        Assert.Equal(call.SpanId, compile.ParentSpanId);
        Assert.Equal("web-1", compile.Attribute("colabo.node"));
        Assert.StartsWith("sha256:", compile.Attribute("colabo.catalog.hash"), StringComparison.Ordinal);
        var write = Assert.Single(trace, s => s.Name == "store.RecordCheckIn");
        Assert.Equal(call.SpanId, write.ParentSpanId);
        Assert.Equal(("sqlite", SpanKind.Client), (write.Attribute("db.system"), write.Span.Kind));
    }

    [Fact(Timeout = 90_000)]
    public async Task Enroll_deploy_and_json_api_calls_are_traced_and_a_refused_call_carries_its_grpc_status()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var repo = await TestRoleRepo.CreateAsync();
        await using var master = await TestMaster.StartAsync(repo, o => o with { OtlpEndpoint = new Uri(receiver.Url, "/") });
        await master.EnrollAsync("web-1");
        await repo.CommitAsync("v2", ("roles/base.yaml", TestRoleRepo.Base("welcome v2")));

        var deploy = await master.Admin().DeployAsync(new DeployRequest(), TestMaster.Deadline());
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(master.Host.Url, "/api/v1/nodes/web-1"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(master.Host.Paths.AdminToken)).Trim());
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
        await Assert.ThrowsAsync<RpcException>(async () => await master.Admin().GetNodeAsync(new GetNodeRequest { Name = "ghost" }, TestMaster.Deadline()));
        await master.Admin().SetSecretAsync(new SetSecretRequest { Name = "app_password", Value = "s3cr3t-in-trace" }, TestMaster.Deadline());
        var app = await master.EnrollAsync("app-1");
        Assert.NotNull((await app.GetCatalogAsync()).Catalog);
        master.Host.FlushTraces();
        await receiver.WaitForAsync(spans => spans.Any(s => s.TraceId == traceId) && spans.Any(s => s.Name == "compile" && s.Attribute("colabo.node") == "app-1")).WaitAsync(Wait);

        // Masters of other tests in this process share the ActivitySource: keep this master's traces only.
        var ours = receiver.Spans.Where(s => s.Attribute("server.port") == master.Host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Select(s => s.TraceId).ToHashSet();
        var spans = receiver.Spans.Where(s => ours.Contains(s.TraceId)).ToList();
        Assert.Contains(spans, s => s.Name == "colabo.config.v1.AgentService/Enroll" && s.Attribute("rpc.grpc.status_code") == "0");
        var deployCall = Assert.Single(spans, s => s.Name == "colabo.config.v1.AdminService/Deploy");
        var deploySpan = Assert.Single(spans, s => s.Name == "deploy" && s.ParentSpanId == deployCall.SpanId);
        Assert.Equal((deploy.Commit, "true", "1"), (deploySpan.Attribute("colabo.commit"), deploySpan.Attribute("colabo.deploy.published"), deploySpan.Attribute("colabo.deploy.affected_nodes")));
        Assert.Contains(spans, s => s.Name == "compile" && s.ParentSpanId == deploySpan.SpanId && s.Attribute("colabo.node") == "web-1");
        Assert.Contains(spans, s => s.Name == "store.SetSetting" && s.ParentSpanId == deploySpan.SpanId);
        var json = Assert.Single(spans, s => s.TraceId == traceId);
        Assert.Equal(("GET /api/v1/nodes/{name}", "200"), (json.Name, json.Attribute("http.response.status_code")));
        var refused = Assert.Single(spans, s => s.Name == "colabo.config.v1.AdminService/GetNode");
        Assert.Equal(((int)StatusCode.NotFound).ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Attribute("rpc.grpc.status_code"));
        Assert.All(receiver.ContentTypes, t => Assert.Equal("application/x-protobuf", t));
        Assert.Contains(spans, s => s.Name == "compile" && s.Attribute("colabo.node") == "app-1");
        Assert.All(receiver.Spans, s => Assert.DoesNotContain("s3cr3t-in-trace", s.Span.ToString(), StringComparison.Ordinal));
    }

    [Fact(Timeout = 90_000)]
    public async Task Spans_also_export_over_otlp_grpc()
    {
        await using var receiver = await OtlpReceiver.StartAsync(http2Only: true);
        await using var master = await TestMaster.StartAsync(null, o => o with { OtlpEndpoint = receiver.Url, OtlpProtocol = "grpc" });

        await master.EnrollAsync("web-1");
        master.Host.FlushTraces();
        await receiver.WaitForAsync(spans => spans.Any(s => s.Name == "colabo.config.v1.AgentService/Enroll" && s.Attribute("server.port") == master.Host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))).WaitAsync(Wait);

        Assert.StartsWith("application/grpc", receiver.ContentTypes[0], StringComparison.Ordinal);
        var enroll = receiver.Spans.First(s => s.Name == "colabo.config.v1.AgentService/Enroll" && s.Attribute("server.port") == master.Host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(receiver.Spans, s => s.Name == "store.UpsertNode" && s.ParentSpanId == enroll.SpanId);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_an_endpoint_the_store_is_not_wrapped_for_tracing()
    {
        await using var master = await TestMaster.StartAsync(null);

        Assert.IsType<Colabo.Config.Store.Sqlite.SqliteConfigStore>(master.Host.Store);
        Assert.True(master.Host.FlushTraces());
    }
}
