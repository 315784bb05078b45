using System.Net;
using Colabo.Config.Compiler;
using Colabo.Config.Master.Api;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Metrics;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Roles;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Serving;
using Colabo.Config.Master.Telemetry;
using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Server.Health;
using Colabo.Config.Store;
using Colabo.Config.Store.Postgres;
using Colabo.Config.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Master;

/// <summary>
/// A running master: store, keyring, role source, node actors, and one TLS port serving gRPC
/// (AgentService, AdminService, Health) and HTTPS (JSON /api/v1, /metrics).
/// </summary>
public sealed partial class MasterHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<IAsyncDisposable> _asyncOwned;
    private readonly List<IDisposable> _owned;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _compactor;
    private OpenTelemetry.Trace.TracerProvider? _tracing;

    private MasterHost(WebApplication app, MasterPaths paths, IConfigStore store, MasterKeyring keyring, RoleSource roles, NodeDirectory nodes,
        MasterMetrics metrics, List<IAsyncDisposable> asyncOwned, List<IDisposable> owned, Func<CancellationToken, Task> compact)
    {
        _app = app;
        Paths = paths;
        Store = store;
        Keyring = keyring;
        Roles = roles;
        Nodes = nodes;
        Metrics = metrics;
        _asyncOwned = asyncOwned;
        _owned = owned;
        _compactor = Task.Run(() => compact(_stop.Token));
    }

    public MasterPaths Paths { get; }
    public IConfigStore Store { get; }
    public MasterKeyring Keyring { get; }
    public RoleSource Roles { get; }
    public NodeDirectory Nodes { get; }
    public MasterMetrics Metrics { get; }

    /// <summary>The port actually bound (useful with port 0).</summary>
    public int Port { get; private set; }

    public Uri Url => new($"https://localhost:{Port}");

    public static async Task<MasterHost> StartAsync(MasterOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        var paths = new MasterPaths(Path.GetFullPath(options.DataDir));
        Directory.CreateDirectory(paths.DataDir);
        var cipher = SecretCipher.FromKeyFile(options.SecretsKeyFile ?? paths.SecretsKey);
        var tracing = TraceExport.Create(options);
        IConfigStore store = options.Postgres is { Length: > 0 } postgres
            ? new PostgresConfigStore(new PostgresStoreOptions { ConnectionString = postgres, Schema = options.PostgresSchema })
            : new SqliteConfigStore(paths.SqliteDatabase);
        // The dashboard's aggregate reads go to the store itself: the tracing proxy covers IConfigStore
        // (whose writes get spans) and nothing else.
        var aggregates = (IFleetAggregates)store;
        if (tracing is not null)
        {
            store = TracedStore.Wrap(store, options.Postgres is { Length: > 0 } ? "postgresql" : "sqlite");
        }
        await store.InitializeAsync(cancellationToken);

        var names = new List<string> { "localhost", "127.0.0.1", "::1", Dns.GetHostName() };
        if (!options.Listen.Address.Equals(IPAddress.Any) && !options.Listen.Address.Equals(IPAddress.IPv6Any))
        {
            names.Add(options.Listen.Address.ToString());
        }
        names.AddRange(options.ServerNames);
        var keyring = await MasterKeyring.LoadOrCreateAsync(paths, store, cipher, [.. names.Distinct(StringComparer.OrdinalIgnoreCase)], time, cancellationToken);
        var revocations = await RevocationList.LoadAsync(store, cancellationToken);
        var metrics = new MasterMetrics();
        var enrollment = new Enrollment(store, keyring.Ca, revocations, time, new EnrollmentOptions { NodeCertificateLifetime = options.NodeCertificateLifetime });
        var tokens = new ApiTokens(store);
        await AdminCredential.EnsureAsync(paths, keyring.Ca, store, tokens, cancellationToken);
        var archive = new CatalogArchive(store, cipher);
        var nodes = new NodeDirectory(store, archive, time, options.ActorIdleTimeout);
        var secrets = new SecretsVault(store, cipher, time);
        var push = new PushQueue(store, metrics, time, options.PushRate);
        loggerFactory ??= MasterLogging.Create(options.LogFormat);
        var roles = new RoleSource(options.Repo, paths.ReposDir + "/roles.git", store, nodes, new CompilationCache(new CatalogCompiler(), fullResults: 64), archive,
            keyring.Signer, secrets, push, metrics, time, loggerFactory.CreateLogger<RoleSource>());
        var runIntervalSeconds = (uint)options.RunInterval.TotalSeconds;
        var catalogs = new CatalogService(nodes, roles, archive, keyring.Signer, secrets, metrics, runIntervalSeconds);
        var adminApi = new AdminApi(store, nodes, enrollment, revocations, roles, archive, secrets, push, keyring.Ca, time, options.RunInterval);

        metrics.Gauge("colabo_connected_agents", () => nodes.ConnectedCount);
        metrics.Gauge("colabo_push_queue_length", () => push.Pending);
        metrics.Gauge("colabo_active_node_actors", () => nodes.ActiveCount);
        metrics.Gauge("colabo_node_actor_deactivations", () => nodes.Deactivations);
        metrics.Gauge("colabo_compile_cache_hits", () => roles.Cache.Hits);
        metrics.Gauge("colabo_compile_cache_misses", () => roles.Cache.Misses);
        // Standard process gauges: what a 10,000-agent master spends its memory on (RSS against the managed heap).
        metrics.Gauge("process_resident_memory_bytes", () => Environment.WorkingSet);
        metrics.Gauge("dotnet_gc_heap_size_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes);
        metrics.Gauge("dotnet_gc_committed_bytes", () => GC.GetGCMemoryInfo().TotalCommittedBytes);
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            var g = generation;
            metrics.Gauge("dotnet_gc_collections", () => GC.CollectionCount(g), $"generation=\"{g}\"");
        }
        metrics.Gauge("process_open_fds", () => OperatingSystem.IsLinux() ? Directory.GetFiles("/proc/self/fd").Length : 0);

        var rpcOptions = new RpcServerOptions
        {
            ServerCertificate = keyring.ServerCertificate,
            ClientCertificateAuthority = keyring.Ca.Certificate,
            RevocationCheck = new RevocationHook(revocations),
            // A revoked agent must learn it for certain (it then stops for good): answer its calls with
            // UNAUTHENTICATED + the certificate-revoked reason instead of a bare closed connection.
            RefuseRevokedCertificatesAtHandshake = false,
            AnonymousMethods = new HashSet<string>(StringComparer.Ordinal) { "grpc.health.v1.Health", "/colabo.config.v1.AgentService/Enroll" },
            TimeProvider = time,
        };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddRpcServer(rpcOptions);
        // 1,024 idle blocks (4 MiB) per I/O queue: enough for the traffic of a busy second, not a burst's worth for
        // hours. Registered last, so the socket transport takes it instead of Kestrel's default factory.
        var socketPools = new BoundedBlockMemoryPool.Factory(maxIdle: 1024);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>(socketPools);
        metrics.Gauge("colabo_socket_pool_idle_blocks", () => socketPools.IdleBlocks);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            RpcKestrelExtensions.ConfigureLimits(kestrel, rpcOptions);
            kestrel.Listen(options.Listen, listen =>
            {
                // TLS always: ALPN picks HTTP/2 for gRPC and HTTP/1.1 for curl and webhooks.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseRpcTls(rpcOptions, kestrel.ApplicationServices);
            });
        });
        var app = builder.Build();
        app.Use(RequestTracing.InvokeAsync);
        var health = new HealthService();
        app.MapRpcService(health, allowAnonymous: true);
        app.MapRpcService(new AgentServiceImpl(enrollment, catalogs, nodes, revocations, keyring.Ca, metrics, time, runIntervalSeconds, options.WatchHeartbeat));
        app.MapRpcService(new AdminServiceImpl(adminApi, revocations));
        JsonApi.Map(app, adminApi, tokens, revocations, metrics);
        // Anonymous: an enrolling agent knows only the CA fingerprint, and TLS never sends a self-signed
        // root, so it fetches the CA here and checks the fingerprint before trusting it with its token.
        app.MapGet("/ca.crt", () => Microsoft.AspNetCore.Http.Results.Text(keyring.Ca.CertificatePem, "application/x-pem-file"));
        Downloads.Map(app, options.DownloadsDir);
        Dashboard.DashboardAssets.FromAssembly(typeof(MasterHost).Assembly).Map(app);
        var fleet = new Dashboard.FleetIndex(store, revocations, time, options.RunInterval);
        new Dashboard.DashboardApi(store, aggregates, fleet, nodes, archive, tokens, revocations, time, options.RunInterval).Map(app);

        await app.StartAsync(cancellationToken);
        await roles.StartAsync(options.PollInterval, cancellationToken);
        await fleet.WarmAsync(cancellationToken);

        async Task CompactAsync(CancellationToken stop)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromHours(6), time);
            do
            {
                try
                {
                    var now = time.GetUtcNow();
                    // A catalog no node holds or last applied serves nothing after a day (a node that
                    // comes back later is compiled for again).
                    var catalogAge = options.Retention < TimeSpan.FromDays(1) ? options.Retention : TimeSpan.FromDays(1);
                    var compacted = await store.CompactAsync(now - options.Retention, now - catalogAge, stop);
                    LogCompacted(loggerFactory.CreateLogger<MasterHost>(), compacted.RunsDeleted, compacted.ChangesDeleted, compacted.CatalogsDeleted);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    loggerFactory.CreateLogger<MasterHost>().LogWarning(e, "Compaction failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }

        var host = new MasterHost(app, paths, store, keyring, roles, nodes, metrics,
            [roles, push, store], [nodes, secrets, revocations, keyring, .. tracing is null ? Array.Empty<IDisposable>() : [tracing]], async stop =>
            {
                try
                {
                    var trim = options.MemoryTrimInterval > TimeSpan.Zero
                        ? MemoryTrim.RunAsync(options.MemoryTrimInterval, time, loggerFactory.CreateLogger<MasterHost>(), stop)
                        : Task.CompletedTask;
                    await Task.WhenAll(CompactAsync(stop), trim);
                }
                catch (OperationCanceledException)
                {
                }
            });
        host._tracing = tracing;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        host.Port = new Uri(addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        var advertised = options.Listen.Address.Equals(IPAddress.Any) || options.Listen.Address.Equals(IPAddress.IPv6Any) ? "localhost" : options.Listen.Address.ToString();
        PrivateFile.WritePublic(paths.MasterUrl, $"https://{(advertised.Contains(':', StringComparison.Ordinal) ? $"[{advertised}]" : advertised)}:{host.Port}\n");
        return host;
    }

    /// <summary>Exports the spans ended so far now instead of at the next batch (tests, shutdown).</summary>
    public bool FlushTraces(int timeoutMilliseconds = 10_000) => _tracing is null || OpenTelemetry.Trace.TracerProviderExtensions.ForceFlush(_tracing, timeoutMilliseconds);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _compactor;
        foreach (var owned in _asyncOwned)
        {
            await owned.DisposeAsync();
        }
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        _stop.Dispose();
    }

    private sealed class RevocationHook(RevocationList revocations) : IClientCertificateRevocationCheck
    {
        public bool IsRevoked(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => revocations.IsRevoked(certificate.SerialNumber);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compaction: {Runs} run(s), {Changes} change(s) and {Catalogs} unreferenced catalog(s) deleted")]
    private static partial void LogCompacted(ILogger logger, int runs, int changes, int catalogs);
}
