using System.Globalization;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Drift;
using Colabo.Config.Master.Security;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Dashboard;

/// <summary>
/// Every node with its status and flattened facts, held in memory for the dashboard's counts,
/// filters and sorting. A snapshot older than <see cref="MaxAge"/> is rebuilt from the store in the
/// background while requests keep getting the one they have (stale-while-revalidate), so no page
/// waits for a rebuild unless its snapshot is older than <see cref="MaxStale"/> (a dashboard nobody
/// looked at for a while) or empty. One rebuild at a time; facts are parsed again only for nodes
/// whose facts changed, so a rebuild at 10,000 nodes is one table read.
/// </summary>
public sealed class FleetIndex(IConfigStore store, RevocationList revocations, TimeProvider time, TimeSpan runInterval)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MaxStale = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private Task<Snapshot>? _loading;
    private Snapshot? _current;

    /// <summary>The fleet as of at most <see cref="MaxStale"/> ago, usually <see cref="MaxAge"/>.</summary>
    public Task<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var current = _current;
            var age = current is null ? TimeSpan.MaxValue : time.GetElapsedTime(current.Timestamp);
            // An empty fleet costs nothing to read again, and nodes may have just arrived.
            if (current is not null && age < MaxAge && current.Nodes.Count > 0)
            {
                return Task.FromResult(current);
            }
            StartLoading();
            return current is not null && age < MaxStale && current.Nodes.Count > 0
                ? Task.FromResult(current)
                : _loading!.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Builds the first snapshot (at master start), so the first page does not wait for it.</summary>
    public Task WarmAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            StartLoading();
            return _loading!.WaitAsync(cancellationToken);
        }
    }

    private void StartLoading()
    {
        if (_loading is null || _loading.IsCompleted)
        {
            // Not tied to one request: a cancelled request must not fail the others waiting on it. On the
            // thread pool: SQLite's async calls complete synchronously, and a request serving the previous
            // snapshot must not run the rebuild itself.
            var previous = _current;
            _loading = Task.Run(() => LoadAsync(previous));
        }
    }

    private async Task<Snapshot> LoadAsync(Snapshot? previous)
    {
        var timestamp = time.GetTimestamp();
        var records = await store.ListNodesAsync(CancellationToken.None);
        var now = time.GetUtcNow();
        var entries = new List<FleetNode>(records.Count);
        foreach (var record in records)
        {
            var facts = previous?.Find(record.Name) is { } known && string.Equals(known.Record.FactsJson, record.FactsJson, StringComparison.Ordinal)
                ? known.Facts
                : Flatten(FactsMapper.FromJson(record.FactsJson));
            var revoked = record.CertificateSerial.Length > 0 && revocations.IsRevoked(record.CertificateSerial);
            entries.Add(new FleetNode(record, RunStates.StatusOf(record, now, runInterval, revoked), facts));
        }
        var snapshot = new Snapshot(entries, now, timestamp);
        lock (_gate)
        {
            _current = snapshot;
        }
        return snapshot;
    }

    /// <summary>Facts under the names role authors use in <c>when:</c> (facts.os.family → <c>os.family</c>).</summary>
    public static IReadOnlyDictionary<string, string> Flatten(Facts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var flat = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string value)
        {
            if (value.Length > 0)
            {
                flat[key] = value;
            }
        }
        Add("hostname", facts.Hostname);
        Add("fqdn", facts.Fqdn);
        Add("os.name", facts.Os);
        Add("os.family", facts.OsFamily);
        Add("os.release", facts.Release);
        Add("os.codename", facts.OsCodename);
        Add("arch", facts.Arch);
        Add("kernel", facts.Kernel);
        Add("agent_version", facts.AgentVersion);
        Add("ips", string.Join(", ", facts.Ips));
        if (facts.Cpus > 0)
        {
            Add("cpus", facts.Cpus.ToString(CultureInfo.InvariantCulture));
        }
        if (facts.MemoryBytes > 0)
        {
            Add("memory_mb", (facts.MemoryBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture));
        }
        foreach (var (key, value) in facts.Cloud)
        {
            Add("cloud." + key, value);
        }
        foreach (var (key, value) in facts.Extra)
        {
            Add(key, value);
        }
        return flat;
    }

    /// <summary>One node as the dashboard lists it.</summary>
    public sealed record FleetNode(NodeRecord Record, NodeStatus Status, IReadOnlyDictionary<string, string> Facts)
    {
        public string Name => Record.Name;
    }

    /// <summary>The whole fleet at one moment, sorted by name.</summary>
    public sealed class Snapshot
    {
        private readonly Dictionary<string, FleetNode> _byName;

        public Snapshot(IReadOnlyList<FleetNode> nodes, DateTimeOffset at, long timestamp)
        {
            Nodes = nodes;
            At = at;
            Timestamp = timestamp;
            _byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
            // What every page asks about the whole fleet, computed once per snapshot rather than per request.
            var counts = nodes.GroupBy(n => n.Status).ToDictionary(g => g.Key, g => g.Count());
            StatusCounts = StatusNames.All.ToDictionary(s => s, s => counts.GetValueOrDefault(StatusNames.Parse(s)!.Value), StringComparer.Ordinal);
            RoleMembers = nodes.SelectMany(n => n.Record.Roles).GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            Roles = [.. RoleMembers.Keys.Order(StringComparer.Ordinal)];
            Environments = [.. nodes.Select(n => n.Record.Environment).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            FactKeys = [.. nodes.SelectMany(n => n.Facts.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        public IReadOnlyDictionary<string, int> StatusCounts { get; }

        public IReadOnlyDictionary<string, int> RoleMembers { get; }

        public IReadOnlyList<string> Roles { get; }

        public IReadOnlyList<string> Environments { get; }

        public IReadOnlyList<string> FactKeys { get; }

        public IReadOnlyList<FleetNode> Nodes { get; }

        public DateTimeOffset At { get; }

        internal long Timestamp { get; }

        public FleetNode? Find(string name) => _byName.GetValueOrDefault(name);
    }
}
