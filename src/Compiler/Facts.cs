using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Colabo.Config.Compiler.Yaml;

namespace Colabo.Config.Compiler;

/// <summary>
/// What an agent observed about its host, as a tree of string, long, double, bool, lists and maps.
/// Immutable; its canonical hash (keys sorted) is computed once and keys the compile cache.
/// </summary>
public sealed class Facts
{
    private string? _hash;

    private Facts(SortedDictionary<string, object?> root) => Root = root;

    public static Facts Empty { get; } = new(new SortedDictionary<string, object?>(StringComparer.Ordinal));

    /// <summary>The fact tree; maps are <see cref="SortedDictionary{TKey,TValue}"/> with ordinal keys.</summary>
    public IReadOnlyDictionary<string, object?> Root { get; }

    /// <summary>Builds facts from plain .NET values (maps, lists, scalars).</summary>
    public static Facts From(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Facts((SortedDictionary<string, object?>)Normalize(values)!);
    }

    /// <summary>Parses facts written as YAML or JSON (a mapping at the top).</summary>
    public static Facts Parse(string text, string fileName = "facts")
    {
        var errors = new List<CompileError>();
        var docs = YamlLoader.Load(fileName, text, errors);
        if (errors.Count > 0)
        {
            throw new FormatException(errors[0].ToString());
        }
        if (docs.Count == 0)
        {
            return Empty;
        }
        if (YamlLoader.ToValue(docs[0]) is not Dictionary<string, object?> map)
        {
            throw new FormatException($"{fileName}:1:1: facts must be a mapping of names to values");
        }
        return From(map);
    }

    /// <summary>Looks a dotted path up ("os.family"); null when absent.</summary>
    public object? Lookup(string path)
    {
        object? current = Root;
        foreach (var part in path.Split('.'))
        {
            if (current is IReadOnlyDictionary<string, object?> map && map.TryGetValue(part, out var next))
            {
                current = next;
            }
            else
            {
                return null;
            }
        }
        return current;
    }

    /// <summary>"sha256:hex" over the canonical JSON of the tree (sorted keys, no whitespace).</summary>
    public string Hash => _hash ??= ComputeHash();

    /// <summary>
    /// "sha256:hex" over only the named top-level facts ("*" means all), distinguishing absent from
    /// null. Memoized per instance, so repeated cache checks with one set of facts cost a lookup.
    /// </summary>
    public string SubsetHash(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Contains("*"))
        {
            return Hash;
        }
        var id = string.Join('\n', keys);
        var memo = _subsetHashes;
        if (memo is not null && memo.TryGetValue(id, out var known))
        {
            return known;
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var key in keys.Order(StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                if (Root.TryGetValue(key, out var value))
                {
                    writer.WriteStartArray();
                    YamlLoader.WriteJsonValue(writer, value);
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteStringValue("absent"); // a present value is always wrapped in [ ]
                }
            }
            writer.WriteEndObject();
        }
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
        var next = new Dictionary<string, string>(memo ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [id] = hash };
        _subsetHashes = next.Count > 64 ? null : next;
        return hash;
    }

    private volatile Dictionary<string, string>? _subsetHashes;

    private string ComputeHash()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            YamlLoader.WriteJsonValue(writer, Root);
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    public override string ToString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            YamlLoader.WriteJsonValue(writer, Root);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static object? Normalize(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int i => (long)i,
        uint u => (long)u,
        float f => (double)f,
        decimal m => (double)m,
        JsonElement e => FromJson(e),
        IEnumerable<KeyValuePair<string, object?>> map => new SortedDictionary<string, object?>(
            map.ToDictionary(kv => kv.Key, kv => Normalize(kv.Value), StringComparer.Ordinal), StringComparer.Ordinal),
        System.Collections.IEnumerable list => list.Cast<object?>().Select(Normalize).ToList(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => new SortedDictionary<string, object?>(
            e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal), StringComparer.Ordinal),
        _ => null,
    };
}
