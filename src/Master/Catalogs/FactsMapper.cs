using Colabo.Config.Contracts.V1;
using Google.Protobuf;
using CompilerFacts = Colabo.Config.Compiler.Facts;

namespace Colabo.Config.Master.Catalogs;

/// <summary>
/// The agent's Facts message as the compiler's fact tree: hostname, fqdn, os.{family,name,release,
/// codename}, arch, cpus, memory_mb, memory_bytes, ips, kernel, cloud.*, and every extra key (dotted
/// keys become nested maps).
/// </summary>
public static class FactsMapper
{
    public static CompilerFacts ToCompilerFacts(Facts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var root = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["hostname"] = facts.Hostname,
            ["fqdn"] = facts.Fqdn,
            ["os"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["family"] = facts.OsFamily,
                ["name"] = facts.Os,
                ["release"] = facts.Release,
                ["codename"] = facts.OsCodename,
            },
            ["arch"] = facts.Arch,
            ["cpus"] = (long)facts.Cpus,
            ["memory_bytes"] = facts.MemoryBytes,
            ["memory_mb"] = facts.MemoryBytes / (1024 * 1024),
            ["ips"] = facts.Ips.Cast<object?>().ToList(),
            ["kernel"] = facts.Kernel,
            ["cloud"] = facts.Cloud.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal),
        };
        foreach (var (key, value) in facts.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var parts = key.Split('.', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }
            var map = root;
            foreach (var part in parts[..^1])
            {
                if (map.GetValueOrDefault(part) is not Dictionary<string, object?> next)
                {
                    next = new Dictionary<string, object?>(StringComparer.Ordinal);
                    map[part] = next;
                }
                map = next;
            }
            map[parts[^1]] = value;
        }
        return CompilerFacts.From(root);
    }

    public static string ToJson(Facts facts) => JsonFormatter.Default.Format(facts);

    public static Facts FromJson(string json)
    {
        try
        {
            return string.IsNullOrEmpty(json) ? new Facts() : JsonParser.Default.Parse<Facts>(json);
        }
        catch (InvalidProtocolBufferException)
        {
            return new Facts();
        }
    }
}
