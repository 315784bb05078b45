using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Agent.Daemon.Facts;

/// <summary>
/// What the agent observes about its host. Files that describe the system being converged
/// (/etc/os-release, /etc/hostname, /etc/hosts) are read under the target root; kernel, CPUs,
/// memory and addresses are the running machine's. No DNS lookups: facts never leave loopback.
/// </summary>
public static class FactsGatherer
{
    public static Contracts.V1.Facts Gather(TargetRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var osRelease = OsRelease(root);
        var hostname = Hostname(root);
        var facts = new Contracts.V1.Facts
        {
            Hostname = hostname,
            Fqdn = Fqdn(root, hostname),
            Os = osRelease.GetValueOrDefault("ID", "linux"),
            Release = osRelease.GetValueOrDefault("VERSION_ID", string.Empty),
            Arch = Arch(),
            Cpus = Environment.ProcessorCount,
            MemoryBytes = MemoryBytes(),
            Kernel = ReadTrimmed("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
            AgentVersion = typeof(FactsGatherer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0",
        };
        facts.Ips.AddRange(Addresses());
        facts.OsCodename = osRelease.GetValueOrDefault("VERSION_CODENAME", string.Empty);

        if (osRelease.GetValueOrDefault("ID_LIKE") is { Length: > 0 } like)
        {
            facts.Extra["os_like"] = like;
        }

        facts.OsFamily = Family(facts.Os, osRelease.GetValueOrDefault("ID_LIKE", string.Empty));
        facts.Extra["init"] = Init(root);
        return facts;
    }

    /// <summary>
    /// "systemd" when systemd runs the managed root (sd_booted(3): /run/systemd/system exists), "none"
    /// for a sandbox root or a host without it: there the service module cannot act, and roles guard
    /// their services with <c>when: facts.init == 'systemd'</c>.
    /// </summary>
    public static string Init(TargetRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return root.IsSystemRoot && Directory.Exists("/run/systemd/system") ? "systemd" : "none";
    }

    /// <summary>KEY=value lines of os-release(5), quotes removed.</summary>
    public static Dictionary<string, string> OsRelease(TargetRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = File.Exists(root.Resolve("/etc/os-release")) ? root.Resolve("/etc/os-release") : root.Resolve("/usr/lib/os-release");
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var line in File.ReadLines(path))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line.StartsWith('#'))
            {
                continue;
            }

            values[line[..equals].Trim()] = line[(equals + 1)..].Trim().Trim('"', '\'');
        }

        return values;
    }

    private static string Family(string os, string like) =>
        (os + " " + like) switch
        {
            var s when s.Contains("debian", StringComparison.Ordinal) || s.Contains("ubuntu", StringComparison.Ordinal) => "Debian",
            var s when s.Contains("rhel", StringComparison.Ordinal) || s.Contains("fedora", StringComparison.Ordinal) || s.Contains("centos", StringComparison.Ordinal) => "RedHat",
            var s when s.Contains("suse", StringComparison.Ordinal) => "Suse",
            var s when s.Contains("alpine", StringComparison.Ordinal) => "Alpine",
            var s when s.Contains("arch", StringComparison.Ordinal) => "Archlinux",
            _ => "Linux",
        };

    private static string Hostname(TargetRoot root) =>
        (root.IsSystemRoot ? null : ReadTrimmed(root.Resolve("/etc/hostname"))) is { Length: > 0 } name ? name : Dns.GetHostName();

    private static string Fqdn(TargetRoot root, string hostname)
    {
        if (hostname.Contains('.', StringComparison.Ordinal))
        {
            return hostname;
        }

        // /etc/hosts "ADDRESS fqdn alias..." lines naming this host, as hostname -f would find them offline.
        var hosts = root.Resolve("/etc/hosts");
        if (File.Exists(hosts))
        {
            foreach (var line in File.ReadLines(hosts))
            {
                var fields = line.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 1 && fields.Skip(1).Contains(hostname, StringComparer.Ordinal)
                    && fields.Skip(1).FirstOrDefault(f => f.StartsWith(hostname + ".", StringComparison.Ordinal)) is { } fqdn)
                {
                    return fqdn;
                }
            }
        }

        return hostname;
    }

    private static string Arch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "armhf",
        Architecture.X86 => "i386",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static long MemoryBytes()
    {
        var meminfo = "/proc/meminfo";
        if (File.Exists(meminfo))
        {
            foreach (var line in File.ReadLines(meminfo))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                    && long.TryParse(line["MemTotal:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                {
                    return kib * 1024;
                }
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static IEnumerable<string> Addresses()
    {
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return [];
        }

        return interfaces
            .Where(i => i.OperationalStatus != OperationalStatus.Down && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !(a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal))
            .Select(a => a.ToString())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
