using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Colabo.Config.Rpc.Server.Health;

/// <summary>
/// grpc.health.v1.Health: Check answers the current status (NOT_FOUND for an unknown service); Watch
/// sends the current status, then every change (SERVICE_UNKNOWN for an unknown service). The empty
/// service name "" stands for the whole server. Map it with allowAnonymous: true.
/// </summary>
public sealed class HealthService : Grpc.Health.V1.Health.HealthBase
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, string> _watchers = new();

    public HealthService()
    {
        _statuses[""] = ServingStatus.Serving;
    }

    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        _statuses[service] = status;
        Notify(service, status);
    }

    public void ClearStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _statuses.TryRemove(service, out _);
        Notify(service, ServingStatus.ServiceUnknown);
    }

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_statuses.TryGetValue(request.Service, out var status))
        {
            throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        }
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        // Only the latest status matters to a watcher that falls behind.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        _watchers[channel] = request.Service;
        try
        {
            var current = _statuses.TryGetValue(request.Service, out var s) ? s : ServingStatus.ServiceUnknown;
            await responseStream.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken);
            var last = current;
            await foreach (var next in channel.Reader.ReadAllAsync(context.CancellationToken))
            {
                if (next != last)
                {
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = next }, context.CancellationToken);
                    last = next;
                }
            }
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        foreach (var (channel, watched) in _watchers)
        {
            if (watched == service)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }
}
