using System.Net;

namespace Colabo.Config.Master;

/// <summary>Everything colabo-master is configured with (see docs/master.md).</summary>
public sealed record MasterOptions
{
    public required string DataDir { get; init; }
    public IPEndPoint Listen { get; init; } = new(IPAddress.Any, 8140);
    /// <summary>Git URL or path of the role repository; null serves no catalogs.</summary>
    public string? Repo { get; init; }
    /// <summary>Host names and addresses the server certificate covers (besides the listen address and localhost).</summary>
    public IReadOnlyList<string> ServerNames { get; init; } = [];
    /// <summary>An Npgsql connection string; null uses the embedded SQLite store in the data dir.</summary>
    public string? Postgres { get; init; }
    public string? PostgresSchema { get; init; }
    /// <summary>Default: DATA_DIR/secrets.key (created on first start). Replicas must share it.</summary>
    public string? SecretsKeyFile { get; init; }
    public TimeSpan RunInterval { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Pushes (catalog changed, run now) per second, fleet-wide on this replica.</summary>
    public double PushRate { get; init; } = 2000;
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan NodeCertificateLifetime { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan WatchHeartbeat { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>OTLP collector URL for traces (e.g. http://collector:4318); null exports no traces.</summary>
    public Uri? OtlpEndpoint { get; init; }
    /// <summary>"http/protobuf" (default; /v1/traces is appended to a bare URL) or "grpc".</summary>
    public string OtlpProtocol { get; init; } = "http/protobuf";
    /// <summary>"simple" (one line per event) or "json" (one JSON object per line, for log shippers).</summary>
    public string LogFormat { get; init; } = "simple";
    /// <summary>A node actor with no Watch stream and no call for this long is dropped from memory (reloaded from the store on demand).</summary>
    public TimeSpan ActorIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How often unused memory is handed back (a background GC when the heap grew, then malloc_trim); zero turns it off.</summary>
    public TimeSpan MemoryTrimInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Files served anonymously under /downloads/ (the agent package for cloud-init).</summary>
    public string DownloadsDir { get; init; } = "/usr/share/colabo-master/downloads";
}
