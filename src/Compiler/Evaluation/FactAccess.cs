using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Colabo.Config.Compiler.Evaluation;

/// <summary>
/// The facts as one compile sees them, recording which top-level facts it read (through
/// classification, conditions, templates). The compile cache keys on exactly those facts, so a
/// fact no role uses (uptime, load) never forces a recompile.
/// </summary>
internal sealed class FactAccess(Facts facts) : IReadOnlyDictionary<string, object?>
{
    /// <summary>"*" when the whole fact tree was enumerated.</summary>
    public SortedSet<string> Used { get; } = new(StringComparer.Ordinal);

    public Facts Facts { get; } = facts;

    public object? Lookup(string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        Used.Add(dot < 0 ? path : path[..dot]);
        return Facts.Lookup(path);
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        Used.Add(key);
        return Facts.Root.TryGetValue(key, out value);
    }

    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public IEnumerable<string> Keys
    {
        get
        {
            Used.Add("*");
            return Facts.Root.Keys;
        }
    }

    public IEnumerable<object?> Values
    {
        get
        {
            Used.Add("*");
            return Facts.Root.Values;
        }
    }

    public int Count => Facts.Root.Count;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        Used.Add("*");
        return Facts.Root.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
