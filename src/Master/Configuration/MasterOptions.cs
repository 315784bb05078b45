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

    /// <summary>Files served anonymously under /downloads/ (the agent package for cloud-init).</summary>
    public string DownloadsDir { get; init; } = "/usr/share/colabo-master/downloads";
}
