using System.Runtime.CompilerServices;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Files;

/// <summary>What an existing path looks like, with the desired owner and group already resolved to ids (null: no such account).</summary>
public sealed record PathMetadata(FileStatus Status, string UserName, string GroupName, int? WantedUid, int? WantedGid);

/// <summary>Owner, group and mode handling shared by file, directory and line.</summary>
internal static class Ownership
{
    private static readonly ConditionalWeakTable<TargetRoot, AccountDatabase> Databases = [];

    public static AccountDatabase Accounts(ModuleContext context) => Databases.GetValue(context.Root, root => new AccountDatabase(root));

    public static IEnumerable<string> Validate(string owner, string group, string mode)
    {
        if (mode.Length > 0 && !FileModes.TryParse(mode, out _))
        {
            yield return $"mode '{mode}' is not an octal mode like 0644";
        }

        if (owner.Contains(':', StringComparison.Ordinal) || group.Contains(':', StringComparison.Ordinal))
        {
            yield return "owner and group are names or numbers, without ':'";
        }
    }

    public static PathMetadata Observe(ModuleContext context, FileStatus status, string owner, string group)
    {
        var accounts = Accounts(context);
        return new PathMetadata(
            status,
            accounts.UserName(status.Uid),
            accounts.GroupName(status.Gid),
            owner.Length > 0 ? accounts.FindUserId(owner) : null,
            group.Length > 0 ? accounts.FindGroupId(group) : null);
    }

    /// <summary>Adds the owner, group and mode differences; <paramref name="current"/> null means the path is to be created.</summary>
    public static void Diff(List<PropertyDiff> diffs, PathMetadata? current, string owner, string group, string mode)
    {
        if (owner.Length > 0 && (current is null || current.WantedUid != current.Status.Uid))
        {
            diffs.Add(new PropertyDiff("owner", current?.UserName, owner));
        }

        if (group.Length > 0 && (current is null || current.WantedGid != current.Status.Gid))
        {
            diffs.Add(new PropertyDiff("group", current?.GroupName, group));
        }

        if (mode.Length > 0 && (current is null || FileModes.Parse(mode) != current.Status.Mode))
        {
            diffs.Add(new PropertyDiff("mode", current?.Status.OctalMode, FileModes.Format(FileModes.Parse(mode))));
        }
    }

    /// <summary>The uid, gid and mode a path should get; unspecified ones keep <paramref name="current"/> or take the defaults (root, <paramref name="defaultMode"/>).</summary>
    public static (int Uid, int Gid, UnixFileMode Mode) Resolve(ModuleContext context, FileStatus? current, string owner, string group, string mode, UnixFileMode defaultMode)
    {
        var accounts = Accounts(context);
        var uid = owner.Length > 0
            ? accounts.FindUserId(owner) ?? throw new InvalidOperationException($"user '{owner}' does not exist in {context.Root.Resolve("/etc/passwd")}")
            : current?.Uid ?? 0;
        var gid = group.Length > 0
            ? accounts.FindGroupId(group) ?? throw new InvalidOperationException($"group '{group}' does not exist in {context.Root.Resolve("/etc/group")}")
            : current?.Gid ?? 0;
        var bits = mode.Length > 0 ? FileModes.Parse(mode) : current?.Mode ?? defaultMode;
        return (uid, gid, bits);
    }

    /// <summary>Changes owner and mode of an existing path in place, as far as they differ.</summary>
    public static void Fix(ModuleContext context, string path, FileStatus current, string owner, string group, string mode)
    {
        var (uid, gid, bits) = Resolve(context, current, owner, group, mode, current.Mode);
        if (uid != current.Uid || gid != current.Gid)
        {
            context.Files.SetOwner(path, uid, gid);
        }

        if (bits != current.Mode || uid != current.Uid || gid != current.Gid)
        {
            // After chown: the kernel clears setuid/setgid on an owner change.
            context.Files.SetMode(path, bits);
        }
    }

    public static string KindName(FileKind kind) => kind switch
    {
        FileKind.File => "file",
        FileKind.Directory => "directory",
        FileKind.SymbolicLink => "link",
        _ => "special file",
    };
}
