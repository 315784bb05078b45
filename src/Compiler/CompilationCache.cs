using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Compiler;

/// <summary>
/// Compile results keyed by exactly their inputs: commit, node, environment, enrollment roles, the
/// values of the facts the compile read (not the others), and the values of the secrets the
/// catalog used. An agent that already holds the current catalog is answered without compiling.
/// Only the <c>fullResults</c> most recent results keep their catalog; older ones keep just the
/// content hash, which is all an "unchanged" check-in needs (a 50-resource catalog is ~50 KB of
/// objects, so 10,000 nodes × two commits of full catalogs would cost a gigabyte). A lookup that
/// needs the catalog of a slimmed entry compiles again.
/// </summary>
public sealed class CompilationCache(CatalogCompiler compiler, int capacity = 50_000, int fullResults = 1024)
{
    /// <summary>Variants kept per node and commit (facts that matter changing back and forth).</summary>
    private const int VariantsPerKey = 4;

    private readonly ConcurrentDictionary<Key, Entry[]> _entries = new();
    private readonly ConcurrentQueue<(Key Key, Entry Entry)> _full = new();
    private long _hits;
    private long _misses;

    private readonly record struct Key(string Commit, string Node, string Environment, string ExtraRoles);

    /// <summary>A result (null once slimmed), and what a lookup matches on.</summary>
    private sealed record Entry(CompileResult? Result, string? ContentHash, IReadOnlyCollection<string> FactsUsed, IReadOnlyCollection<string> SecretsUsed, string FactsHash, string SecretsDigest);

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The cached result for these inputs, compiling on a miss.</summary>
    public CompileResult GetOrCompile(RepositorySnapshot snapshot, string node, Facts facts,
        IReadOnlyDictionary<string, string>? secrets = null, string environment = "", IReadOnlyList<string>? extraRoles = null) =>
        GetOrCompile(snapshot, node, facts, secrets, environment, extraRoles, out _);

    /// <summary>The cached result for these inputs, compiling on a miss.</summary>
    /// <param name="compiled">Whether this call compiled (safe to count from concurrent callers, unlike <see cref="Misses"/>).</param>
    public CompileResult GetOrCompile(RepositorySnapshot snapshot, string node, Facts facts,
        IReadOnlyDictionary<string, string>? secrets, string environment, IReadOnlyList<string>? extraRoles, out bool compiled)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(facts);
        if (TryGet(snapshot.Commit, node, facts, secrets, environment, extraRoles) is { } cached)
        {
            compiled = false;
            return cached;
        }
        compiled = true;
        Interlocked.Increment(ref _misses);
        var result = compiler.Compile(snapshot, node, facts, secrets, environment, extraRoles);
        if (_entries.Count >= capacity)
        {
            _entries.Clear(); // crude but bounded; a deploy invalidates most entries anyway
        }
        var entry = new Entry(result, result.Catalog?.ContentHash, result.FactsUsed, result.SecretsUsed,
            facts.SubsetHash(result.FactsUsed), Digest(result.SecretsUsed, secrets));
        var key = new Key(snapshot.Commit, node, environment, Join(extraRoles));
        _entries.AddOrUpdate(key, [entry],
            (_, existing) => [entry, .. existing.Where(e => e.FactsHash != entry.FactsHash || e.SecretsDigest != entry.SecretsDigest).Take(VariantsPerKey - 1)]);
        _full.Enqueue((key, entry));
        while (_full.Count > fullResults && _full.TryDequeue(out var oldest))
        {
            Slim(oldest.Key, oldest.Entry);
        }
        return result;
    }

    /// <summary>The cached result for these inputs, or null when they have not been compiled (or only the hash is kept).</summary>
    public CompileResult? TryGet(string commit, string node, Facts facts, IReadOnlyDictionary<string, string>? secrets = null,
        string environment = "", IReadOnlyList<string>? extraRoles = null)
    {
        if (Find(commit, node, facts, secrets, environment, extraRoles)?.Result is { } result)
        {
            Interlocked.Increment(ref _hits);
            return result;
        }
        return null;
    }

    /// <summary>True when the agent's catalog hash is the current one for these inputs (no compile).</summary>
    public bool IsUnchanged(string commit, string node, Facts facts, string agentHash,
        IReadOnlyDictionary<string, string>? secrets = null, string environment = "", IReadOnlyList<string>? extraRoles = null) =>
        string.Equals(KnownHash(commit, node, facts, secrets, environment, extraRoles), agentHash, StringComparison.Ordinal);

    /// <summary>
    /// The content hash these inputs compiled to, also for an entry whose catalog was dropped (null when they
    /// have not been compiled or did not compile): the caller can fetch the signed catalog by hash instead
    /// of compiling again.
    /// </summary>
    public string? KnownHash(string commit, string node, Facts facts, IReadOnlyDictionary<string, string>? secrets = null,
        string environment = "", IReadOnlyList<string>? extraRoles = null)
    {
        if (Find(commit, node, facts, secrets, environment, extraRoles)?.ContentHash is not { } hash)
        {
            return null;
        }
        Interlocked.Increment(ref _hits);
        return hash;
    }

    /// <summary>
    /// Forgets every entry of a commit not in <paramref name="commits"/>: after a deploy, the previous
    /// commit's results (10,000 of them for 10,000 nodes) serve nobody. A node still asking for a
    /// forgotten commit (a plan at an old ref, a rollback) is compiled for again.
    /// </summary>
    /// <returns>How many entries were forgotten.</returns>
    public int RetainCommits(IReadOnlySet<string> commits)
    {
        ArgumentNullException.ThrowIfNull(commits);
        var forgotten = 0;
        foreach (var key in _entries.Keys)
        {
            if (!commits.Contains(key.Commit) && _entries.TryRemove(key, out _))
            {
                forgotten++;
            }
        }
        // The full results of forgotten entries must not stay reachable through the queue either.
        for (var count = _full.Count; count > 0 && _full.TryDequeue(out var full); count--)
        {
            if (commits.Contains(full.Key.Commit))
            {
                _full.Enqueue(full);
            }
        }
        return forgotten;
    }

    /// <summary>Forgets every entry (e.g. after secrets were rotated in bulk).</summary>
    public void Clear()
    {
        _entries.Clear();
        _full.Clear();
    }

    private Entry? Find(string commit, string node, Facts facts, IReadOnlyDictionary<string, string>? secrets, string environment, IReadOnlyList<string>? extraRoles)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (_entries.TryGetValue(new Key(commit, node, environment, Join(extraRoles)), out var entries))
        {
            foreach (var entry in entries)
            {
                if (entry.FactsHash == facts.SubsetHash(entry.FactsUsed) &&
                    (entry.SecretsUsed.Count == 0 || entry.SecretsDigest == Digest(entry.SecretsUsed, secrets)))
                {
                    return entry;
                }
            }
        }
        return null;
    }

    /// <summary>Drops the catalog of an entry that is still cached, keeping what "unchanged" needs.</summary>
    private void Slim(Key key, Entry entry)
    {
        var slim = entry with { Result = null };
        while (_entries.TryGetValue(key, out var entries))
        {
            var index = Array.IndexOf(entries, entry);
            if (index < 0)
            {
                return;
            }
            var replaced = (Entry[])entries.Clone();
            replaced[index] = slim;
            if (_entries.TryUpdate(key, replaced, entries))
            {
                return;
            }
        }
    }

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
