using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Colabo.Config.Master.Metrics;

/// <summary>
/// The master's metrics, exposed at /metrics in the Prometheus text format (0.0.4): counters,
/// gauges computed at scrape time, and request latency histograms per method.
/// </summary>
public sealed class MasterMetrics
{
    private static readonly double[] s_buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly ConcurrentDictionary<(string Name, string Labels), long> _counters = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, string Labels), Func<double>> _gauges = new();

    public void Count(string name, string labels = "", long by = 1) => _counters.AddOrUpdate((name, labels), by, (_, v) => v + by);

    public long Get(string name, string labels = "") => _counters.GetValueOrDefault((name, labels));

    /// <summary>A gauge read at each scrape; <paramref name="labels"/> as for counters (<c>generation="2"</c>).</summary>
    public void Gauge(string name, Func<double> read, string labels = "") => _gauges[(name, labels)] = read;

    public void ObserveLatency(string method, TimeSpan elapsed) =>
        _latency.GetOrAdd(method, _ => new Histogram()).Observe(elapsed.TotalSeconds);

    public string Render()
    {
        var text = new StringBuilder();
        foreach (var group in _counters.GroupBy(kv => kv.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Family(text, group.Key, "counter", group.Select(kv => (kv.Key.Labels, kv.Value.ToString(CultureInfo.InvariantCulture))));
        }
        foreach (var group in _gauges.GroupBy(kv => kv.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Family(text, group.Key, "gauge", group.Select(kv => (kv.Key.Labels, kv.Value().ToString(CultureInfo.InvariantCulture))));
        }
        if (!_latency.IsEmpty)
        {
            const string name = "colabo_request_duration_seconds";
            text.Append("# TYPE ").Append(name).Append(" histogram\n");
            foreach (var (method, histogram) in _latency.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                histogram.Render(text, name, $"method=\"{method}\"");
            }
        }
        return text.ToString();
    }

    /// <summary>One metric family: its TYPE line, then a sample per label set (in label order).</summary>
    private static void Family(StringBuilder text, string name, string type, IEnumerable<(string Labels, string Value)> samples)
    {
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples.OrderBy(s => s.Labels, StringComparer.Ordinal))
        {
            text.Append(name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ').Append(value).Append('\n');
        }
    }

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[s_buckets.Length + 1];
        private long _sumMicros;

        public void Observe(double seconds)
        {
            var i = 0;
            while (i < s_buckets.Length && seconds > s_buckets[i])
            {
                i++;
            }
            Interlocked.Increment(ref _counts[i]);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
        }

        public void Render(StringBuilder text, string name, string labels)
        {
            long cumulative = 0;
            for (var i = 0; i < s_buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref _counts[i]);
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"{s_buckets[i].ToString(CultureInfo.InvariantCulture)}\"}} {cumulative}\n");
            }
            cumulative += Interlocked.Read(ref _counts[^1]);
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"+Inf\"}} {cumulative}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {(Interlocked.Read(ref _sumMicros) / 1e6).ToString(CultureInfo.InvariantCulture)}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_count{{{labels}}} {cumulative}\n");
        }
    }
}
