using System.Globalization;

namespace Colabo.Config.Agent.Daemon.Configuration;

/// <summary>
/// Reads agent.yaml: a flat mapping of "key: value" lines, comments and blank lines. Tiny on
/// purpose (the agent is trim-safe, so no reflection-based YAML); errors name file:line:column.
/// </summary>
public static class AgentConfigReader
{
    public static AgentConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new AgentConfigException($"{path}: the configuration file does not exist");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static AgentConfig Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var config = new AgentConfig();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var content = StripComment(line);
            if (content.Trim().Length == 0 || content.Trim() is "---" or "{}")
            {
                continue;
            }

            var lineNo = i + 1;
            if (char.IsWhiteSpace(content[0]))
            {
                throw Error(source, lineNo, 1, "agent.yaml is a flat mapping: nested values are not supported");
            }

            var colon = content.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Error(source, lineNo, 1, "expected 'key: value'");
            }

            var key = content[..colon].Trim();
            var raw = content[(colon + 1)..];
            var valueColumn = colon + 2 + (raw.Length - raw.TrimStart().Length);
            var value = Unquote(raw.Trim(), source, lineNo, valueColumn);
            if (!seen.Add(key))
            {
                throw Error(source, lineNo, 1, $"'{key}' is given twice");
            }

            config = Apply(config, key, value, source, lineNo, valueColumn);
        }

        return config;
    }

    private static AgentConfig Apply(AgentConfig config, string key, string value, string source, int line, int column)
    {
        AgentConfigException Bad(string message) => Error(source, line, column, $"{key}: {message}");
        if (value.Length == 0 && key is not ("node_name" or "ca_fingerprint" or "master"))
        {
            throw Bad("a value is required");
        }

        return key switch
        {
            "master" => config with { Master = value.Length == 0 ? null : MasterUrl(value) ?? throw Bad($"'{value}' is not an https:// URL") },
            "node_name" => config with { NodeName = value.Length == 0 ? null : value },
            "environment" => config with { Environment = value },
            "interval" => config with { Interval = Duration(value) is { } d && d >= TimeSpan.FromSeconds(10) ? d : throw Bad($"'{value}' is not a duration of at least 10s (like 30m, 1h, 90s)") },
            "push_jitter" => config with { PushJitter = Duration(value) ?? throw Bad($"'{value}' is not a duration (like 5s, 1m)") },
            "ca_fingerprint" => config with { CaFingerprint = value.Length == 0 ? null : value },
            "enrollment_token_file" => config with { EnrollmentTokenFile = Absolute(value) ?? throw Bad("must be an absolute path") },
            "state_dir" => config with { StateDir = Absolute(value) ?? throw Bad("must be an absolute path") },
            "root" => config with { Root = Absolute(value) ?? throw Bad("must be an absolute path") },
            "noop" => config with { Noop = Boolean(value) ?? throw Bad("must be true or false") },
            "idle_trim" => config with { IdleTrim = Boolean(value) ?? throw Bad("must be true or false") },
            "parallelism" => config with { Parallelism = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw Bad("must be a positive whole number") },
            _ => throw Error(source, line, 1, $"unknown key '{key}' (known: master, node_name, environment, interval, push_jitter, ca_fingerprint, enrollment_token_file, state_dir, root, noop, parallelism, idle_trim)"),
        };
    }

    /// <summary>"https://host:port" (a trailing slash is fine); http:// is refused: the agent only speaks mTLS.</summary>
    public static Uri? MasterUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0 ? uri : null;

    /// <summary>"90s", "30m", "1h", "1d", "250ms", or a plain number of seconds.</summary>
    public static TimeSpan? Duration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        (string Digits, double Seconds) split = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1),
            _ when text.EndsWith('m') => (text[..^1], 60),
            _ when text.EndsWith('h') => (text[..^1], 3600),
            _ when text.EndsWith('d') => (text[..^1], 86400),
            _ => (text, 1),
        };
        return double.TryParse(split.Digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount >= 0 ? TimeSpan.FromSeconds(amount * split.Seconds) : null;
    }

    private static bool? Boolean(string value) => value switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => null,
    };

    private static string? Absolute(string path) => Path.IsPathFullyQualified(path) ? path : null;

    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    private static string Unquote(string value, string source, int line, int column)
    {
        if (value.Length > 0 && value[0] is '"' or '\'')
        {
            if (value.Length < 2 || value[^1] != value[0])
            {
                throw Error(source, line, column, "unterminated quoted value");
            }

            return value[1..^1];
        }

        if (value.Length > 0 && value[0] is '[' or '{' or '|' or '>' or '&' or '*')
        {
            throw Error(source, line, column, "only plain or quoted scalar values are supported");
        }

        return value;
    }

    private static AgentConfigException Error(string source, int line, int column, string message) =>
        new($"{source}:{line}:{column}: {message}");
}
