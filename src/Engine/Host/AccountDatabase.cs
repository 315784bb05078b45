using System.Globalization;

namespace Colabo.Config.Engine.Host;

/// <summary>
/// User and group names of a target root, read from its /etc/passwd and /etc/group (not from the
/// running host's NSS, so a sandbox answers with its own accounts). Re-read when the files change.
/// </summary>
public sealed class AccountDatabase
{
    private readonly TargetRoot _root;
    private readonly Lock _lock = new();
    private Table _users = Table.Empty;
    private Table _groups = Table.Empty;

    public AccountDatabase(TargetRoot root) => _root = root;

    /// <summary>The uid for a user name or a number; null when the root has no such user.</summary>
    public int? FindUserId(string nameOrId) => Find(nameOrId, "/etc/passwd", ref _users);

    /// <summary>The gid for a group name or a number; null when the root has no such group.</summary>
    public int? FindGroupId(string nameOrId) => Find(nameOrId, "/etc/group", ref _groups);

    /// <summary>The user name for a uid, or the number as text.</summary>
    public string UserName(int uid) => Name(uid, "/etc/passwd", ref _users);

    /// <summary>The group name for a gid, or the number as text.</summary>
    public string GroupName(int gid) => Name(gid, "/etc/group", ref _groups);

    private int? Find(string nameOrId, string file, ref Table table)
    {
        if (int.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        var current = Load(file, ref table);
        if (current.Ids.TryGetValue(nameOrId, out var found))
        {
            return found;
        }

        // An empty sandbox has no account files; root is root everywhere.
        return nameOrId == "root" && !current.Exists ? 0 : null;
    }

    private string Name(int id, string file, ref Table table)
    {
        var current = Load(file, ref table);
        return current.Names.TryGetValue(id, out var name) ? name : id == 0 && !current.Exists ? "root" : id.ToString(CultureInfo.InvariantCulture);
    }

    private Table Load(string file, ref Table table)
    {
        var path = _root.Resolve(file);
        var status = Internal.Posix.LStat(path);
        var exists = status is not null;
        var stamp = exists ? (status!.ModifiedTicks, status.Size) : (0L, -1L);
        lock (_lock)
        {
            if (table.Stamp == stamp)
            {
                return table;
            }

            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var names = new Dictionary<int, string>();
            if (exists)
            {
                foreach (var line in File.ReadLines(path))
                {
                    // name:password:id:...
                    var fields = line.Split(':');
                    if (fields.Length >= 3 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        ids.TryAdd(fields[0], id);
                        names.TryAdd(id, fields[0]);
                    }
                }
            }

            table = new Table(stamp, exists, ids, names);
            return table;
        }
    }

    private sealed record Table((long Ticks, long Length) Stamp, bool Exists, Dictionary<string, int> Ids, Dictionary<int, string> Names)
    {
        public static Table Empty { get; } = new((-1, -2), false, [], []);
    }
}
