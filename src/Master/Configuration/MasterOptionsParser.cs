using System.Globalization;
using System.Net;

namespace Colabo.Config.Master;

/// <summary>
/// Reads options from, in increasing precedence: a config file (<c>--config FILE</c>, lines of
/// <c>key: value</c>, '#' comments), environment variables (<c>COLABO_MASTER_DATA_DIR</c>, ...), flags
/// (<c>--data-dir DIR</c>, ...). Keys are the flag names without the dashes.
/// </summary>
public static class MasterOptionsParser
{
    public static readonly IReadOnlyList<string> Keys =
    [
        "data-dir", "listen", "downloads-dir", "repo", "server-name", "postgres", "postgres-schema", "secrets-key-file",
        "run-interval", "poll-interval", "push-rate", "retention", "node-cert-lifetime", "watch-heartbeat",
        "otlp-endpoint", "otlp-protocol", "log-format", "actor-idle-timeout",
        "memory-trim-interval",
    ];

    public static MasterOptions Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var flags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? configFile = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'. Usage: colabo-master --data-dir DIR [--listen ADDR:PORT] [--repo GIT_URL_OR_PATH] ...");
            }
            var key = arg[2..];
            string value;
            var eq = key.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"--{key} needs a value.");
            }
            if (key == "config")
            {
                configFile = value;
                continue;
            }
            Known(key, $"--{key}");
            (flags.TryGetValue(key, out var list) ? list : flags[key] = []).Add(value);
        }
        configFile ??= environment.GetValueOrDefault("COLABO_MASTER_CONFIG");
        var file = configFile is null ? new Dictionary<string, List<string>>() : ReadFile(configFile);
        string? Get(string key) =>
            flags.TryGetValue(key, out var f) ? f[^1]
            : environment.TryGetValue("COLABO_MASTER_" + key.Replace('-', '_').ToUpperInvariant(), out var e) && e.Length > 0 ? e
            : file.TryGetValue(key, out var c) ? c[^1] : null;
        IReadOnlyList<string> GetAll(string key) =>
            flags.TryGetValue(key, out var f) ? f
            : environment.TryGetValue("COLABO_MASTER_" + key.Replace('-', '_').ToUpperInvariant(), out var e) && e.Length > 0 ? e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : file.TryGetValue(key, out var c) ? c : [];

        var dataDir = Get("data-dir") ?? throw new ArgumentException("--data-dir DIR is required (or COLABO_MASTER_DATA_DIR).");
        var defaults = new MasterOptions { DataDir = dataDir };
        return defaults with
        {
            Listen = Get("listen") is { } listen ? ParseEndpoint(listen) : defaults.Listen,
            Repo = Get("repo"),
            ServerNames = GetAll("server-name"),
            Postgres = Get("postgres"),
            PostgresSchema = Get("postgres-schema"),
            SecretsKeyFile = Get("secrets-key-file"),
            RunInterval = Duration(Get("run-interval"), "run-interval") ?? defaults.RunInterval,
            PollInterval = Duration(Get("poll-interval"), "poll-interval") ?? defaults.PollInterval,
            PushRate = Get("push-rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : defaults.PushRate,
            Retention = Duration(Get("retention"), "retention") ?? defaults.Retention,
            NodeCertificateLifetime = Duration(Get("node-cert-lifetime"), "node-cert-lifetime") ?? defaults.NodeCertificateLifetime,
            WatchHeartbeat = Duration(Get("watch-heartbeat"), "watch-heartbeat") ?? defaults.WatchHeartbeat,
            DownloadsDir = Get("downloads-dir") ?? defaults.DownloadsDir,
            OtlpEndpoint = Get("otlp-endpoint") is { Length: > 0 } otlp ? OtlpUrl(otlp) : null,
            OtlpProtocol = Get("otlp-protocol") is { } protocol ? OneOf(protocol, "otlp-protocol", "http/protobuf", "grpc") : defaults.OtlpProtocol,
            LogFormat = Get("log-format") is { } format ? OneOf(format, "log-format", "simple", "json") : defaults.LogFormat,
            ActorIdleTimeout = Duration(Get("actor-idle-timeout"), "actor-idle-timeout") ?? defaults.ActorIdleTimeout,
            MemoryTrimInterval = Duration(Get("memory-trim-interval"), "memory-trim-interval") ?? defaults.MemoryTrimInterval,
        };
    }

    private static Uri OtlpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"otlp-endpoint '{value}' must be an http:// or https:// URL, e.g. http://localhost:4318.");

    private static string OneOf(string value, string key, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new ArgumentException($"{key} '{value}' must be one of: {string.Join(", ", allowed)}.");

    public static IPEndPoint ParseEndpoint(string value)
    {
        var hasPort = value.Contains("]:", StringComparison.Ordinal) || (!value.StartsWith('[') && value.Count(c => c == ':') == 1);
        if (hasPort && IPEndPoint.TryParse(value, out var endpoint))
        {
            return endpoint;
        }
        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value[(colon + 1)..], CultureInfo.InvariantCulture, out var port))
        {
            var host = value[..colon];
            if (host is "localhost")
            {
                return new IPEndPoint(IPAddress.Loopback, port);
            }
            if (host is "*" or "")
            {
                return new IPEndPoint(IPAddress.Any, port);
            }
        }
        throw new ArgumentException($"--listen '{value}' must be ADDR:PORT, e.g. 0.0.0.0:8140, 127.0.0.1:8140 or [::]:8140.");
    }

    /// <summary>"90s", "30m", "2h", "30d", or a TimeSpan ("00:30:00").</summary>
    public static TimeSpan? Duration(string? value, string key)
    {
        if (value is null)
        {
            return null;
        }
        var unit = value.Length > 0 ? value[^1] : ' ';
        if (unit is 's' or 'm' or 'h' or 'd' && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0)
        {
            return unit switch
            {
                's' => TimeSpan.FromSeconds(number),
                'm' => TimeSpan.FromMinutes(number),
                'h' => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
        }
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span)
            ? span
            : throw new ArgumentException($"{key} '{value}' is not a duration; use e.g. 90s, 30m, 2h or 30d.");
    }

    private static Dictionary<string, List<string>> ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Config file {path} does not exist.");
        }
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException($"{path}:{number}:1: expected 'key: value'.");
            }
            // data_dir and data-dir both work: the agent's file uses underscores, the flags hyphens.
            var key = line[..colon].Trim().Replace('_', '-');
            Known(key, $"{path}:{number}:1: key '{key}'");
            var value = line[(colon + 1)..].Trim().Trim('"');
            (values.TryGetValue(key, out var list) ? list : values[key] = []).Add(value);
        }
        return values;
    }

    private static void Known(string key, string where)
    {
        if (!Keys.Contains(key))
        {
            throw new ArgumentException($"{where} is not a master option; known: {string.Join(", ", Keys)}, config.");
        }
    }
}
