using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Compiler;

/// <summary>
/// Compile results keyed by exactly their inputs: commit, node, environment, enrollment roles, the
/// values of the facts the compile read (not the others), and the values of the secrets the
/// catalog used. An agent that already holds the current catalog is answered without compiling.
/// </summary>
public sealed class CompilationCache(CatalogCompiler compiler, int capacity = 50_000)
{
    /// <summary>Variants kept per node and commit (facts that matter changing back and forth).</summary>
    private const int VariantsPerKey = 4;

    private readonly ConcurrentDictionary<Key, Entry[]> _entries = new();
    private long _hits;
    private long _misses;

    private readonly record struct Key(string Commit, string Node, string Environment, string ExtraRoles);

    private sealed record Entry(CompileResult Result, string FactsHash, string SecretsDigest);

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The cached result for these inputs, compiling on a miss.</summary>
    public CompileResult GetOrCompile(RepositorySnapshot snapshot, string node, Facts facts,
        IReadOnlyDictionary<string, string>? secrets = null, string environment = "", IReadOnlyList<string>? extraRoles = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(facts);
        if (TryGet(snapshot.Commit, node, facts, secrets, environment, extraRoles) is { } cached)
        {
            return cached;
        }
        Interlocked.Increment(ref _misses);
        var result = compiler.Compile(snapshot, node, facts, secrets, environment, extraRoles);
        if (_entries.Count >= capacity)
        {
            _entries.Clear(); // crude but bounded; a deploy invalidates most entries anyway
        }
        var entry = new Entry(result, facts.SubsetHash(result.FactsUsed), Digest(result.SecretsUsed, secrets));
        _entries.AddOrUpdate(new Key(snapshot.Commit, node, environment, Join(extraRoles)), [entry],
            (_, existing) => [entry, .. existing.Take(VariantsPerKey - 1)]);
        return result;
    }

    /// <summary>The cached result for these inputs, or null when they have not been compiled.</summary>
    public CompileResult? TryGet(string commit, string node, Facts facts, IReadOnlyDictionary<string, string>? secrets = null,
        string environment = "", IReadOnlyList<string>? extraRoles = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (_entries.TryGetValue(new Key(commit, node, environment, Join(extraRoles)), out var entries))
        {
            foreach (var entry in entries)
            {
                if (entry.FactsHash == facts.SubsetHash(entry.Result.FactsUsed) &&
                    (entry.Result.SecretsUsed.Count == 0 || entry.SecretsDigest == Digest(entry.Result.SecretsUsed, secrets)))
                {
                    Interlocked.Increment(ref _hits);
                    return entry.Result;
                }
            }
        }
        return null;
    }

    /// <summary>True when the agent's catalog hash is the current one for these inputs (no compile).</summary>
    public bool IsUnchanged(string commit, string node, Facts facts, string agentHash,
        IReadOnlyDictionary<string, string>? secrets = null, string environment = "", IReadOnlyList<string>? extraRoles = null) =>
        TryGet(commit, node, facts, secrets, environment, extraRoles)?.Catalog?.ContentHash is { } hash &&
        string.Equals(hash, agentHash, StringComparison.Ordinal);

    /// <summary>Forgets every entry (e.g. after secrets were rotated in bulk).</summary>
    public void Clear() => _entries.Clear();

    private static string Join(IReadOnlyList<string>? roles) => roles is null or { Count: 0 } ? "" : string.Join('\n', roles);

    private static string Digest(IReadOnlyCollection<string> used, IReadOnlyDictionary<string, string>? secrets)
    {
        if (used.Count == 0)
        {
            return "";
        }
        var text = new StringBuilder();
        foreach (var name in used)
        {
            text.Append(name).Append('\0');
            text.Append(secrets is null ? "\u0001placeholder" : secrets.GetValueOrDefault(name, "\u0001missing")).Append('\0');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
