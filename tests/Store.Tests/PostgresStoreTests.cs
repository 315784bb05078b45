using Colabo.Config.Store.Postgres;

namespace Colabo.Config.Store.Tests;

/// <summary>The conformance suite against the real PostgreSQL cluster that tests/setup/30-postgres.sh starts.</summary>
public sealed class PostgresStoreTests : StoreConformance
{
    private readonly string _schema = TestPostgres.NewSchema();

    protected override async Task<IConfigStore> CreateStoreAsync()
    {
        var store = new PostgresConfigStore(TestPostgres.Options(_schema));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override Task ExecuteSqlAsync(string sql) => TestPostgres.ExecuteAsync(_schema, sql);

    protected override string StatesColumnTypeBefore => "JSONB";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await TestPostgres.DropSchemaAsync(_schema);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_event_published_by_one_replica_reaches_the_other_exactly_once()
    {
        await using var replicaB = new PostgresConfigStore(TestPostgres.Options(_schema));
        await replicaB.InitializeAsync(CancellationToken.None);
        var received = new List<ClusterEvent>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = replicaB.Events.Subscribe(e =>
        {
            lock (received)
            {
                received.Add(e);
            }
            (e.Kind == "marker" ? marker : first).TrySetResult();
        });

        await Store.Events.PublishAsync(new ClusterEvent(ClusterEvent.CatalogChanged, "*", "sha256:x"), CancellationToken.None);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Store.Events.PublishAsync(new ClusterEvent("marker", "*"), CancellationToken.None);
        await marker.Task.WaitAsync(TimeSpan.FromSeconds(10));

        lock (received)
        {
            Assert.Equal([new ClusterEvent(ClusterEvent.CatalogChanged, "*", "sha256:x"), new ClusterEvent("marker", "*")], received);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Thousands_of_events_published_at_once_all_reach_the_other_replica_each_publishers_in_order()
    {
        await using var replicaB = new PostgresConfigStore(TestPostgres.Options(_schema));
        await replicaB.InitializeAsync(CancellationToken.None);
        const int Publishers = 16;
        const int EachPublishes = 200;
        var received = new List<ClusterEvent>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = replicaB.Events.Subscribe(e =>
        {
            lock (received)
            {
                received.Add(e);
                if (received.Count == Publishers * EachPublishes)
                {
                    all.TrySetResult();
                }
            }
        });

        // As a deploy's push lanes do: each lane publishes its events one after the other, all lanes at once
        // (the outbox sends whatever is waiting as one statement).
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; i < EachPublishes; i++)
            {
                await Store.Events.PublishAsync(new ClusterEvent(ClusterEvent.CatalogChanged, $"node-{lane}", $"{i}"), CancellationToken.None);
            }
        })));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));

        lock (received)
        {
            Assert.Equal(Publishers * EachPublishes, received.Count);
            foreach (var lane in Enumerable.Range(0, Publishers))
            {
                Assert.Equal(Enumerable.Range(0, EachPublishes).Select(i => $"{i}"), received.Where(e => e.Node == $"node-{lane}").Select(e => e.Payload));
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_nodes_states_stay_compressed_in_its_row_however_often_a_report_rewrites_them()
    {
        await Store.UpsertNodeAsync(Node("web-1"), CancellationToken.None);

        // 50 states, each with its own desired-state digest: ~13 KB of text, ~4 KB compressed, over the
        // 2 KB from which PostgreSQL would move the value out of the row into the TOAST table.
        for (var r = 0; r < 3; r++)
        {
            var at = T0.AddMinutes(r);
            await Store.SaveRunAsync(Run("web-1", $"r{r}", at), [], [.. Enumerable.Range(0, 50).Select(j =>
                State("web-1", $"r{r}", $"file:/etc/colabo/f{j:00}", at) with { DesiredDigest = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) })], CancellationToken.None);
        }

        Assert.Equal(0L, await TestPostgres.ScalarAsync<long>(_schema, "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'node_states'::regclass"));
        Assert.InRange(await TestPostgres.ScalarAsync<int>(_schema, "SELECT pg_column_size(states) FROM node_states"), 2_100, 8_000);
        var states = await Store.GetResourceStatesAsync("web-1", CancellationToken.None);
        Assert.Equal(50, states.Count);
        Assert.All(states, s => Assert.Equal("r2", s.RunId));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_replica_starting_next_to_a_busy_one_waits_behind_none_of_its_reads_or_writes()
    {
        // What a replica serving agents holds while its reads and writes run: ROW EXCLUSIVE on every table.
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { SearchPath = _schema };
        await using var busy = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        await busy.OpenAsync();
        await using var transaction = await busy.BeginTransactionAsync();
        await using (var tables = new Npgsql.NpgsqlCommand("SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables WHERE schemaname = current_schema()", busy, transaction))
        {
            var all = (string)(await tables.ExecuteScalarAsync())!;
            Assert.Contains("node_states", all, StringComparison.Ordinal);
#pragma warning disable CA2100 // table names read from the catalog, quoted
            await using var lockAll = new Npgsql.NpgsqlCommand($"LOCK TABLE {all} IN ROW EXCLUSIVE MODE", busy, transaction);
#pragma warning restore CA2100
            await lockAll.ExecuteNonQueryAsync();
        }

        // A start that needed a lock conflicting with those (an ALTER COLUMN, a CREATE INDEX) fails after 3 s.
        await using var replicaB = new PostgresConfigStore(TestPostgres.Options(_schema) with
        {
            ConnectionString = TestPostgres.ConnectionString + ";Options=-c lock_timeout=3000",
        });
        await replicaB.InitializeAsync(CancellationToken.None);

        await transaction.RollbackAsync();
        // The settings the first start made are in place (each read before it is set).
        Task<string> Column(string table, string column, string field) => TestPostgres.ScalarAsync<string>(_schema,
            $"SELECT CAST({field} AS TEXT) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attname = '{column}'");
        Assert.Equal(["l", "m", "l"], [await Column("node_states", "states", "attcompression"),
            await Column("node_states", "states", "attstorage"), await Column("run_changes", "entries", "attcompression")]);
        Assert.Equal("fillfactor=70 fillfactor=70", await TestPostgres.ScalarAsync<string>(_schema,
            "SELECT string_agg(array_to_string(reloptions, ','), ' ') FROM pg_class WHERE oid IN ('node_states'::regclass, 'nodes'::regclass)"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_replica_sees_what_the_first_wrote()
    {
        await using var replicaB = new PostgresConfigStore(TestPostgres.Options(_schema));
        await replicaB.InitializeAsync(CancellationToken.None);

        await Store.RevokeCertificateAsync("0A", T0, "x", CancellationToken.None);
        await Store.AddCertificateAsync(Certificate("0B", "web-1"), CancellationToken.None);
        await Store.RevokeCertificateAsync("0B", T0, "x", CancellationToken.None);

        Assert.Equal(["0B"], await replicaB.ListRevokedSerialsAsync(CancellationToken.None));
    }
}
