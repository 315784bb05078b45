using System.Text.Json;
using Npgsql;

namespace Colabo.Config.Store.Postgres;

/// <summary>
/// Cluster events over LISTEN/NOTIFY. Every replica (this one included) receives each event once,
/// through its listening connection; a lost connection is re-established with a bounded backoff.
/// </summary>
internal sealed class PostgresEventBus(NpgsqlDataSource dataSource, string channel) : IEventBus, IAsyncDisposable
{
    private readonly SubscriberList _subscribers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _outboxGate = new();
    private List<(string Payload, TaskCompletionSource Sent)> _outbox = [];
    private Task? _sender;
    private Task? _loop;

    /// <summary>Events per NOTIFY statement (each payload is at most a few hundred bytes).</summary>
    private const int MaxBatch = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            return;
        }
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = Task.Run(() => ListenLoopAsync(listening, _stop.Token), CancellationToken.None);
        await listening.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Publishes through the outbox: the events waiting when the previous batch went out are sent together,
    /// one statement and one transaction (so one commit) for all of them, in the order they were published.
    /// A deploy's thousands of "catalog changed" events then cost tens of round trips, not thousands.
    /// </summary>
    public async Task PublishAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(clusterEvent, PostgresJson.Default.ClusterEvent);
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_outboxGate)
        {
            _outbox.Add((payload, sent));
            _sender ??= Task.Run(SendOutboxAsync, CancellationToken.None);
        }
        await sent.Task.WaitAsync(cancellationToken);
    }

    private async Task SendOutboxAsync()
    {
        while (true)
        {
            List<(string Payload, TaskCompletionSource Sent)> batch;
            lock (_outboxGate)
            {
                if (_outbox.Count == 0)
                {
                    _sender = null;
                    return;
                }
                batch = _outbox.Count <= MaxBatch ? _outbox : _outbox[..MaxBatch];
                _outbox = _outbox.Count <= MaxBatch ? [] : _outbox[MaxBatch..];
            }
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(_stop.Token);
                await using var command = new NpgsqlCommand(
                    "SELECT pg_notify(@channel, t.payload) FROM unnest(@payloads) WITH ORDINALITY AS t(payload, n) ORDER BY t.n", connection);
                command.Parameters.AddWithValue("channel", channel);
                command.Parameters.AddWithValue("payloads", batch.Select(b => b.Payload).ToArray());
                await command.ExecuteNonQueryAsync(_stop.Token);
                foreach (var (_, sent) in batch)
                {
                    sent.TrySetResult();
                }
            }
            catch (Exception e)
            {
                foreach (var (_, sent) in batch)
                {
                    sent.TrySetException(e);
                }
            }
        }
    }

    public IDisposable Subscribe(Action<ClusterEvent> handler) => _subscribers.Add(handler);

    private async Task ListenLoopAsync(TaskCompletionSource listening, CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stop);
                connection.Notification += (_, e) => Deliver(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop);
                }
                listening.TrySetResult();
                backoff = TimeSpan.FromMilliseconds(100);
                while (!stop.IsCancellationRequested)
                {
                    await connection.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
            {
                if (!listening.Task.IsCompleted)
                {
                    listening.TrySetException(e);
                    return;
                }
                try
                {
                    await Task.Delay(backoff, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5_000));
            }
        }
    }

    private void Deliver(string payload)
    {
        ClusterEvent? clusterEvent;
        try
        {
            clusterEvent = JsonSerializer.Deserialize(payload, PostgresJson.Default.ClusterEvent);
        }
        catch (JsonException)
        {
            return;
        }
        if (clusterEvent is not null)
        {
            _subscribers.Deliver(clusterEvent);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task? sending;
        lock (_outboxGate)
        {
            sending = _sender;
        }
        if (sending is not null)
        {
            // Its waiting publishers get the cancellation; it must not touch the token after disposal.
            await sending;
        }
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }
}
