using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Colabo.Config.Agent.Daemon.Scheduling;

/// <summary>
/// Wall-clock schedule: runs happen at epoch + k * interval + splay, where the splay is derived
/// from the node name (SHA-256, so neighbours named web-01 and web-02 land far apart). Restarting
/// the agent does not move its slot, and a fleet never falls into step.
/// </summary>
public sealed record RunSchedule(TimeSpan Interval, TimeSpan Splay)
{
    public static RunSchedule ForNode(string nodeName, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "the interval must be positive");
        }

        return new RunSchedule(interval, SplayOf(nodeName, interval));
    }

    /// <summary>A deterministic offset in [0, interval) for this node name.</summary>
    public static TimeSpan SplayOf(string nodeName, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(nodeName));
        var value = BinaryPrimitives.ReadUInt64BigEndian(hash);
        return TimeSpan.FromTicks((long)(value % (ulong)interval.Ticks));
    }

    /// <summary>The first slot strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset now)
    {
        var sinceEpoch = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - Splay.Ticks;
        var slots = Math.Floor((double)sinceEpoch / Interval.Ticks);
        var next = DateTimeOffset.UnixEpoch.AddTicks(((long)slots * Interval.Ticks) + Splay.Ticks);
        while (next <= now)
        {
            next += Interval;
        }

        while (next - Interval > now)
        {
            next -= Interval;
        }

        return next;
    }

    /// <summary>A random delay in [0, max) before a pushed run, so a fleet told at once does not run at once.</summary>
    public static TimeSpan Jitter(Random random, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(random);
        return max <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(random.NextInt64(max.Ticks));
    }
}
