using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Modules.Conformance;

/// <summary>
/// Everything observable under a target root: every path (links not followed) with its kind,
/// owner, group, mode, modification time, and for files the SHA-256 of the content, for links the
/// target. Two snapshots are equal when the root is byte-for-byte unchanged.
/// </summary>
public sealed class TargetSnapshot
{
    private TargetSnapshot(string root, SortedDictionary<string, Entry> entries)
    {
        Root = root;
        Entries = entries;
    }

    public string Root { get; }

    /// <summary>By host path ("/etc/motd"); the root itself is "/".</summary>
    public IReadOnlyDictionary<string, Entry> Entries { get; }

    public static TargetSnapshot Capture(TargetRoot root, Func<string, bool>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var entries = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        Walk(root.Path, "/", entries, ignore ?? (_ => false));
        return new TargetSnapshot(root.Path, entries);
    }

    /// <summary>Human-readable differences, at most <paramref name="limit"/>; empty when equal.</summary>
    public IReadOnlyList<string> DifferencesFrom(TargetSnapshot before, int limit = 20)
    {
        ArgumentNullException.ThrowIfNull(before);
        var differences = new List<string>();
        foreach (var (path, old) in before.Entries)
        {
            if (!Entries.TryGetValue(path, out var now))
            {
                differences.Add($"{path}: removed");
            }
            else if (now != old)
            {
                differences.Add($"{path}: {old} -> {now}");
            }
        }

        foreach (var path in Entries.Keys.Where(p => !before.Entries.ContainsKey(p)))
        {
            differences.Add($"{path}: added ({Entries[path]})");
        }

        return differences.Count > limit ? [.. differences.Take(limit), $"... and {differences.Count - limit} more"] : differences;
    }

    private static void Walk(string realRoot, string hostPath, SortedDictionary<string, Entry> entries, Func<string, bool> ignore)
    {
        if (ignore(hostPath))
        {
            return;
        }

        var real = hostPath == "/" ? realRoot : realRoot.TrimEnd('/') + hostPath;
        var status = HostFileSystem.Instance.GetStatus(real);
        if (status is null)
        {
            return;
        }

        string? content = status.Kind switch
        {
            FileKind.File => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(real))),
            FileKind.SymbolicLink => "-> " + new FileInfo(real).LinkTarget,
            _ => null,
        };
        entries[hostPath] = new Entry(status.Kind, status.Uid, status.Gid, status.OctalMode, status.ModifiedTicks, content);
        if (status.Kind != FileKind.Directory)
        {
            return;
        }

        foreach (var name in HostFileSystem.Instance.ListDirectory(real))
        {
            Walk(realRoot, hostPath == "/" ? "/" + name : hostPath + "/" + name, entries, ignore);
        }
    }

    /// <summary>One path. <see cref="Content"/> is the SHA-256 of a file or the target of a link.</summary>
    public sealed record Entry(FileKind Kind, int Uid, int Gid, string Mode, long ModifiedTicks, string? Content)
    {
        public override string ToString()
        {
            var text = new StringBuilder().Append(Kind).Append(' ').Append(Uid).Append(':').Append(Gid).Append(' ').Append(Mode)
                .Append(" mtime=").Append(ModifiedTicks);
            if (Content is not null)
            {
                text.Append(' ').Append(Content.Length > 16 ? Content[..16] : Content);
            }

            return text.ToString();
        }
    }
}
