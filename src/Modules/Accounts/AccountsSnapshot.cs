using System.Collections.Concurrent;
using System.Globalization;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.Modules.Accounts;

/// <summary>
/// The accounts of a target root as its /etc/passwd, /etc/group and /etc/shadow say, read straight
/// from the files (never from the running host's NSS), so a sandbox answers with its own accounts.
/// </summary>
public sealed class AccountsSnapshot
{
    // A run reads the account files once per user and key; parse them again only when they changed.
    private static readonly ConcurrentDictionary<string, (string Stamp, AccountsSnapshot Snapshot)> Cache = new(StringComparer.Ordinal);

    private AccountsSnapshot(Dictionary<string, PasswdEntry> users, Dictionary<string, GroupEntry> groups, Dictionary<string, string> passwords)
    {
        Users = users;
        Groups = groups;
        PasswordHashes = passwords;
    }

    public IReadOnlyDictionary<string, PasswdEntry> Users { get; }

    public IReadOnlyDictionary<string, GroupEntry> Groups { get; }

    /// <summary>The crypt(3) field of /etc/shadow by user name.</summary>
    public IReadOnlyDictionary<string, string> PasswordHashes { get; }

    public static AccountsSnapshot Load(TargetRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var stamp = string.Join('|', new[] { "/etc/passwd", "/etc/group", "/etc/shadow" }.Select(path =>
        {
            var info = new FileInfo(root.Resolve(path));
            return info.Exists ? $"{info.LastWriteTimeUtc.Ticks}:{info.Length}" : "-";
        }));
        if (Cache.TryGetValue(root.Path, out var cached) && cached.Stamp == stamp)
        {
            return cached.Snapshot;
        }

        var snapshot = Parse(root);
        Cache[root.Path] = (stamp, snapshot);
        return snapshot;
    }

    private static AccountsSnapshot Parse(TargetRoot root)
    {
        var users = new Dictionary<string, PasswdEntry>(StringComparer.Ordinal);
        foreach (var fields in Records(root.Resolve("/etc/passwd"), 7))
        {
            if (TryId(fields[2], out var uid) && TryId(fields[3], out var gid))
            {
                users.TryAdd(fields[0], new PasswdEntry(fields[0], uid, gid, fields[4], fields[5], fields[6]));
            }
        }

        var groups = new Dictionary<string, GroupEntry>(StringComparer.Ordinal);
        foreach (var fields in Records(root.Resolve("/etc/group"), 4))
        {
            if (TryId(fields[2], out var gid))
            {
                var members = fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                groups.TryAdd(fields[0], new GroupEntry(fields[0], gid, [.. members]));
            }
        }

        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fields in Records(root.Resolve("/etc/shadow"), 2))
        {
            passwords.TryAdd(fields[0], fields[1]);
        }

        return new AccountsSnapshot(users, groups, passwords);
    }

    public GroupEntry? GroupById(uint gid) => Groups.Values.FirstOrDefault(g => g.Gid == gid);

    /// <summary>Supplementary groups of a user: the groups that list the user as a member, sorted by name.</summary>
    public IReadOnlyList<string> SupplementaryGroupsOf(string user) =>
        [.. Groups.Values.Where(g => g.Members.Contains(user, StringComparer.Ordinal)).Select(g => g.Name).Order(StringComparer.Ordinal)];

    private static IEnumerable<string[]> Records(string path, int minimumFields)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] is '#' or '+' or '-')
            {
                continue;
            }

            var fields = line.Split(':');
            if (fields.Length >= minimumFields)
            {
                yield return fields;
            }
        }
    }

    private static bool TryId(string text, out uint id) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
}

/// <summary>One line of /etc/passwd.</summary>
public sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Comment, string Home, string Shell);

/// <summary>One line of /etc/group.</summary>
public sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);
