using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>
/// Streams one run's report to the master as it is produced, writing each message ahead to the
/// spool; messages produced together share one flush. The first failure of the stream only stops the live copy; the spool keeps everything.
/// </summary>
internal sealed class RunReporter : IAsyncDisposable
{
    private readonly SpoolWriter _spool;
    private readonly AgentLog _log;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AsyncClientStreamingCall<ReportMessage, ReportAck>? _call;
    private bool _disposed;
    private int _waiting;

    public RunReporter(SpoolWriter spool, MasterConnection? connection, AgentLog log, CancellationToken cancellationToken)
    {
        _spool = spool;
        _log = log;
        _cancellationToken = cancellationToken;
        _call = connection?.Client.Report(new CallOptions(CancellationToken: cancellationToken));
    }

    public async ValueTask SendAsync(ReportMessage message)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.WaitAsync(_cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        try
        {
            _spool.Append(message);
            if (_call is { } call)
            {
                try
                {
                    // Outcomes finishing together (resources converge in parallel) go out in one flush: a
                    // message is only queued while another is already waiting to follow it, so the last of
                    // a burst flushes them all and nothing waits for a later outcome.
                    call.RequestStream.WriteOptions = Volatile.Read(ref _waiting) > 0 ? WriteOptions.Buffered : null;
                    await call.RequestStream.WriteAsync(message, _cancellationToken);
                }
                catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or HttpRequestException)
                {
                    Broken(e);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Half-closes the stream and waits for the ack; true (and the spool file removed) when the master has the run.</summary>
    public async Task<bool> FinishAsync(string runId, ReportSpool spool)
    {
        if (_call is not { } call)
        {
            Close();
            return false;
        }

        try
        {
            await call.RequestStream.CompleteAsync();
            var ack = await call.ResponseAsync;
            Close();
            spool.Complete(runId);
            return true;
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or HttpRequestException)
        {
            Broken(e);
            Close();
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Broken(Exception e)
    {
        _log.Warning($"the report stream broke ({e.Message}); the run is spooled and will be resent");
        _call?.Dispose();
        _call = null;
    }

    private void Close()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _spool.Dispose();
        _call?.Dispose();
        _call = null;
    }
}
