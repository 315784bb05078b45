using System.Globalization;

namespace Colabo.Config.Master.Bench;

/// <summary>
/// CPU seconds used so far by the master, by the worker processes, by PostgreSQL's processes, by the
/// kernel's soft interrupts (loopback networking, charged to no process), and by the whole machine
/// (from /proc/stat); what the machine used beyond those is the rest (this coordinator, other processes).
/// A PostgreSQL backend that ended between two samples is missed; the pool keeps them open.
/// </summary>
internal readonly record struct CpuSplit(double Master, double Workers, double Postgres, double SoftIrq, double Machine)
{
    public static CpuSplit Take(ChildProcess master, IEnumerable<ChildProcess> workers) =>
        new(master.CpuSeconds(), workers.Sum(w => w.CpuSeconds()), PostgresSeconds(), MachineSeconds(7), MachineBusySeconds());

    public static CpuSplit operator -(CpuSplit a, CpuSplit b) =>
        new(a.Master - b.Master, a.Workers - b.Workers, a.Postgres - b.Postgres, a.SoftIrq - b.SoftIrq, a.Machine - b.Machine);

    /// <summary>Milliseconds of each share per event, e.g. "master 0.83 ms, workers 0.40 ms, PostgreSQL 0.30 ms, softirq 0.10 ms, rest 0.01 ms".</summary>
    public string PerEvent(double events)
    {
        var n = Math.Max(1, events);
        var rest = Math.Max(0, Machine - Master - Workers - Postgres - SoftIrq);
        return string.Create(CultureInfo.InvariantCulture,
            $"master {1000 * Master / n:0.00} ms, workers {1000 * Workers / n:0.00} ms, PostgreSQL {1000 * Postgres / n:0.00} ms, softirq {1000 * SoftIrq / n:0.00} ms, rest {1000 * rest / n:0.00} ms");
    }

    private static double PostgresSeconds()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || stat[(open + 1)..close] != "postgres")
                {
                    continue;
                }
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }
        return ticks / 100.0;
    }

    private static double MachineSeconds(int field) =>
        long.Parse(File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[field], CultureInfo.InvariantCulture) / 100.0;

    // user + nice + system + irq + softirq + steal of the "cpu" line, in USER_HZ (100 per second).
    private static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / 100.0;
    }
}
