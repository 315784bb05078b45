using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Drift;
using Colabo.Config.Master.Metrics;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Reports;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Serving;
using Colabo.Config.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Api;

/// <summary>colabo.config.v1.AgentService: the node name comes only from the caller's certificate.</summary>
public sealed class AgentServiceImpl(
    Enrollment enrollment, CatalogService catalogs, NodeDirectory nodes, RevocationList revocations, CertificateAuthority ca,
    MasterMetrics metrics, TimeProvider time, uint runIntervalSeconds, TimeSpan heartbeat) : AgentService.AgentServiceBase
{
    public override Task<EnrollResponse> Enroll(EnrollRequest request, ServerCallContext context) => Surface.Guard(async () =>
    {
        var name = request.NodeName.Length > 0 ? request.NodeName : request.Facts?.Hostname ?? "";
        var factsJson = request.Facts is null ? "{}" : FactsMapper.ToJson(request.Facts);
        var result = await enrollment.EnrollAsync(request.Token, request.CsrPem, name, factsJson, context.CancellationToken);
        await nodes.Get(result.NodeName).ReloadAsync(context.CancellationToken);
        metrics.Count("colabo_enrollments_total");
        var response = new EnrollResponse
        {
            NodeName = result.NodeName,
            CertificatePem = result.Certificate.Pem,
            CaCertificatePem = ca.CertificatePem,
            NotAfter = Timestamp.FromDateTime(result.Certificate.Certificate.NotAfter.ToUniversalTime()),
            Environment = result.Environment,
            RunIntervalSeconds = runIntervalSeconds,
        };
        response.Roles.AddRange(result.Roles);
        return response;
    });

    public override Task<GetCatalogResponse> GetCatalog(GetCatalogRequest request, ServerCallContext context) => Surface.Guard(() =>
        catalogs.GetAsync(Surface.Node(context, revocations).Name, request, context.CancellationToken));

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responses, ServerCallContext context)
    {
        var caller = Surface.Node(context, revocations);
        var actor = nodes.Get(caller.Name);
        using var watch = actor.Watch();
        var ct = context.CancellationToken;
        try
        {
            var node = await actor.GetAsync(ct);
            if (node is not null && request.CurrentHash.Length > 0 && node.CatalogHash.Length > 0 && node.CatalogHash != request.CurrentHash)
            {
                // The agent missed a push while disconnected: tell it now.
                await responses.WriteAsync(new WatchEvent
                {
                    EventId = Guid.NewGuid().ToString("N"),
                    At = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                    CatalogChanged = new CatalogChanged { CatalogHash = node.CatalogHash },
                }, ct);
            }
            // Headers go out now so the agent knows it is connected.
            await context.WriteResponseHeadersAsync(new Metadata());
            var renewal = RenewalWindow.Of(context.PeerIdentity?.Certificate);
            while (!ct.IsCancellationRequested)
            {
                if (renewal.IsDue(time.GetUtcNow()) is { } reason)
                {
                    // Once per stream: the agent's own timer normally renews first; this catches an agent
                    // whose clock or schedule missed the window. After renewing it keeps this stream.
                    await responses.WriteAsync(new WatchEvent
                    {
                        EventId = Guid.NewGuid().ToString("N"),
                        At = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                        RenewCertificate = new RenewCertificateNow { Reason = reason },
                    }, ct);
                    metrics.Count("colabo_pushes_total", "kind=\"renew-certificate\"");
                    renewal = RenewalWindow.None;
                }
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                idle.CancelAfter(heartbeat);
                bool ready;
                try
                {
                    ready = await watch.Events.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await responses.WriteAsync(new WatchEvent { EventId = "", At = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Heartbeat = new Heartbeat() }, ct);
                    continue;
                }
                if (!ready)
                {
                    return;
                }
                while (watch.Events.TryRead(out var watchEvent))
                {
                    await responses.WriteAsync(watchEvent, ct);
                    metrics.Count("colabo_watch_events_total");
                    if (watchEvent.EventCase == WatchEvent.EventOneofCase.Revoked)
                    {
                        context.Status = new Status(StatusCode.Unauthenticated, "The node's certificate was revoked.");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public override Task<ReportAck> Report(IAsyncStreamReader<ReportMessage> requests, ServerCallContext context) => Surface.Guard(async () =>
    {
        var caller = Surface.Node(context, revocations);
        var assembler = new ReportAssembler();
        while (await requests.MoveNext(context.CancellationToken))
        {
            assembler.Add(requests.Current);
        }
        var report = assembler.Complete();
        var ack = await nodes.Get(caller.Name).IngestAsync(report, context.CancellationToken);
        metrics.Count("colabo_reports_total", ack.Duplicate ? "result=\"duplicate\"" : "result=\"recorded\"");
        if (!ack.Duplicate)
        {
            foreach (var outcome in report.Outcomes.Where(o => o.Status != OutcomeStatus.InSync))
            {
                metrics.Count("colabo_resource_outcomes_total", $"status=\"{ChangeClasses.StatusName(outcome.Status)}\",kind=\"{Sanitize(outcome.Kind)}\"");
            }
        }
        return ack;
    });

    public override Task<RenewCertificateResponse> RenewCertificate(RenewCertificateRequest request, ServerCallContext context) => Surface.Guard(async () =>
    {
        var caller = Surface.Node(context, revocations);
        var issued = await enrollment.RenewAsync(caller, request.CsrPem, context.CancellationToken);
        metrics.Count("colabo_renewals_total");
        return new RenewCertificateResponse
        {
            CertificatePem = issued.Pem,
            CaCertificatePem = ca.CertificatePem,
            NotAfter = Timestamp.FromDateTime(issued.Certificate.NotAfter.ToUniversalTime()),
        };
    });

    private static string Sanitize(string kind) => new([.. kind.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(32)]);
}
