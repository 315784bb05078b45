using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Accounts;

namespace Colabo.Config.Modules.Ssh;

/// <summary>
/// <c>ssh_authorized_key</c>: one key in a user's ~/.ssh/authorized_keys. The user's uid, gid and home
/// come from the target root's /etc/passwd. ~/.ssh is kept 0700 and authorized_keys 0600, both owned
/// by the user; the file is replaced atomically. With <c>exclusive</c> every key of the file that no
/// resource of the catalog declares (<c>managed_keys</c>, filled by the compiler) is removed.
/// </summary>
public sealed partial class SshAuthorizedKeyModule : IResourceModule<SshAuthorizedKeyState>, IResourceLocking
{
    private const string DirectoryMode = "0700";
    private const string FileMode = "0600";

    // Several key resources of one user edit one file; each edit re-reads it under this lock.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> FileLocks = new(StringComparer.Ordinal);

    public string Kind => "ssh_authorized_key";

    /// <summary>All keys of one user share a file: the engine converges them one at a time.</summary>
    public string? LockKeyOf(Resource desired) =>
        desired?.SshAuthorizedKey is { User.Length: > 0 } spec ? "ssh_authorized_keys:" + spec.User : null;

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.SshAuthorizedKey)
        {
            return [$"{desired.Id}: an ssh_authorized_key resource needs an ssh_authorized_key spec"];
        }

        var spec = desired.SshAuthorizedKey;
        var errors = new List<string>();
        if (spec.User.Length == 0)
        {
            errors.Add($"{desired.Id}: 'user' is required");
        }

        if (!AuthorizedKeyLine.IsKeyType(spec.Type))
        {
            errors.Add($"{desired.Id}: key type '{spec.Type}' is not one sshd knows (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, sk-...)");
        }

        if (!Base64().IsMatch(spec.Key))
        {
            errors.Add($"{desired.Id}: 'key' must be the base64 key blob alone (the second field of a .pub file)");
        }

        if (spec.Comment.AsSpan().IndexOfAny("\r\n") >= 0 || spec.Options.Any(o => o.Length == 0 || o.AsSpan().IndexOfAny("\r\n") >= 0))
        {
            errors.Add($"{desired.Id}: comment and options must be single lines; options must not be empty");
        }

        if (desired.Ensure is not (Ensure.Unspecified or Ensure.Present or Ensure.Absent))
        {
            errors.Add($"{desired.Id}: ensure '{desired.Ensure}' does not apply to ssh keys; use present or absent");
        }

        return errors;
    }

    public Task<SshAuthorizedKeyState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.SshAuthorizedKey;
        if (!AccountsSnapshot.Load(context.Root).Users.TryGetValue(spec.User, out var user))
        {
            return Task.FromResult<SshAuthorizedKeyState?>(null);
        }

        var (directory, file) = Paths(context.Root, user);
        var directoryStatus = context.Files.GetStatus(directory);
        var fileStatus = context.Files.GetStatus(file);
        var lines = fileStatus is { Kind: FileKind.File } ? ReadLines(context.Files, file) : [];
        var line = lines.FirstOrDefault(l => l.Key == spec.Key)?.Text.Trim();
        var unmanaged = spec.Exclusive
            ? lines.Where(l => l.Key is not null && !Managed(spec).Contains(l.Key)).Select(l => l.Describe()).ToList()
            : [];
        if (line is null && unmanaged.Count == 0)
        {
            return Task.FromResult<SshAuthorizedKeyState?>(null);
        }

        return Task.FromResult<SshAuthorizedKeyState?>(new SshAuthorizedKeyState(
            spec.User, string.Create(CultureInfo.InvariantCulture, $"{user.Uid}:{user.Gid}"), line, unmanaged, directoryStatus?.OctalMode, Owner(directoryStatus), fileStatus?.OctalMode, Owner(fileStatus)));
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, SshAuthorizedKeyState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.SshAuthorizedKey;
        if (desired.Ensure == Ensure.Absent)
        {
            return current?.Line is null ? [] : [new PropertyDiff("ensure", "present", "absent")];
        }

        var changes = new List<PropertyDiff>();
        var wanted = AuthorizedKeyLine.Format(spec.Type, spec.Key, spec.Comment, spec.Options);
        if (current?.Line is null)
        {
            changes.Add(new PropertyDiff("ensure", "absent", "present"));
        }
        else if (current.Line != wanted)
        {
            changes.Add(new PropertyDiff("line", current.Line, wanted));
        }

        if (current is null)
        {
            return changes;
        }

        if (current.UnmanagedKeys.Count > 0)
        {
            changes.Add(new PropertyDiff("unmanaged_keys", string.Join("; ", current.UnmanagedKeys), null));
        }

        if (current.Line is not null)
        {
            Compare(changes, "ssh_directory_owner", current.DirectoryOwner, current.UserOwner);
            Compare(changes, "ssh_directory_mode", current.DirectoryMode, DirectoryMode);
            Compare(changes, "authorized_keys_owner", current.FileOwner, current.UserOwner);
            Compare(changes, "authorized_keys_mode", current.FileMode, FileMode);
        }

        return changes;
    }

    public async Task ApplyAsync(Resource desired, SshAuthorizedKeyState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.SshAuthorizedKey;
        var user = AccountsSnapshot.Load(context.Root).Users.GetValueOrDefault(spec.User)
            ?? throw new InvalidOperationException($"user '{spec.User}' does not exist in {context.Root.Resolve("/etc/passwd")}; declare it (user:{spec.User}) before its keys");
        var (directory, file) = Paths(context.Root, user);
        var gate = FileLocks.GetOrAdd(file, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Apply(desired.Ensure == Ensure.Absent, spec, user, directory, file, context.Files);
        }
        finally
        {
            gate.Release();
        }
    }

    private static void Apply(bool absent, SshAuthorizedKeySpec spec, PasswdEntry user, string directory, string file, IFileSystem files)
    {
        var (uid, gid) = ((int)user.Uid, (int)user.Gid);
        var directoryStatus = files.GetStatus(directory);
        if (directoryStatus is null)
        {
            if (absent)
            {
                return;
            }

            var home = Path.GetDirectoryName(directory)!;
            if (files.GetStatus(home) is not { Kind: FileKind.Directory })
            {
                throw new InvalidOperationException($"the home directory {user.Home} of '{user.Name}' does not exist; create it (manage_home on the user) before adding keys");
            }

            files.CreateDirectory(directory, uid, gid, FileModes.Parse(DirectoryMode));
        }
        else if (directoryStatus.Kind != FileKind.Directory)
        {
            // A link here could point sshd, and us, anywhere on the host.
            throw new InvalidOperationException($"{user.Home}/.ssh of '{user.Name}' is a {directoryStatus.Kind}, not a directory; refusing to write through it");
        }
        else if (!absent)
        {
            if (directoryStatus.Uid != uid || directoryStatus.Gid != gid)
            {
                files.SetOwner(directory, uid, gid);
            }

            if (directoryStatus.OctalMode != DirectoryMode)
            {
                files.SetMode(directory, FileModes.Parse(DirectoryMode));
            }
        }

        var fileStatus = files.GetStatus(file);
        if (fileStatus is { Kind: not FileKind.File })
        {
            throw new InvalidOperationException($"{user.Home}/.ssh/authorized_keys of '{user.Name}' is a {fileStatus.Kind}, not a file; refusing to write through it");
        }

        var lines = fileStatus is null ? [] : ReadLines(files, file);
        var updated = absent ? Remove(lines, spec.Key) : Upsert(lines, spec);
        if (absent && updated.Count == 0)
        {
            // The last key went: leave no empty file, and no empty ~/.ssh, behind.
            files.Delete(file, recursive: false);
            if (files.ListDirectory(directory).Count == 0)
            {
                files.Delete(directory, recursive: false);
            }

            return;
        }

        var content = Encoding.UTF8.GetBytes(updated.Count == 0 ? "" : string.Join('\n', updated) + "\n");
        var unchanged = fileStatus is not null && files.ReadAllBytes(file).AsSpan().SequenceEqual(content);
        if (!unchanged)
        {
            files.WriteFileAtomically(file, content, uid, gid, FileModes.Parse(FileMode));
        }
        else if (!absent)
        {
            if (fileStatus!.Uid != uid || fileStatus.Gid != gid)
            {
                files.SetOwner(file, uid, gid);
            }

            if (fileStatus.OctalMode != FileMode)
            {
                files.SetMode(file, FileModes.Parse(FileMode));
            }
        }
    }

    private static List<string> Upsert(List<AuthorizedKeyLine> lines, SshAuthorizedKeySpec spec)
    {
        var wanted = AuthorizedKeyLine.Format(spec.Type, spec.Key, spec.Comment, spec.Options);
        var managed = Managed(spec);
        var result = new List<string>();
        var placed = false;
        foreach (var line in lines)
        {
            if (line.Key == spec.Key)
            {
                // The first occurrence takes the wanted form; duplicates go.
                if (!placed)
                {
                    result.Add(wanted);
                    placed = true;
                }
            }
            else if (!spec.Exclusive || line.Key is null || managed.Contains(line.Key))
            {
                result.Add(line.Text);
            }
        }

        if (!placed)
        {
            result.Insert(NewKeyPosition(result, spec), wanted);
        }

        return result;
    }

    /// <summary>
    /// Where a key not yet in the file goes: before the first key that comes after it in <c>managed_keys</c>
    /// (for exclusive keys the compiler lists every key of the user there, sorted), else at the end. Key
    /// resources of one user run in whatever order the engine's workers take them, so appending would order
    /// the file by timing; this way it ends in one order whatever the order of the edits (and after a run
    /// that was interrupted half-way).
    /// </summary>
    private static int NewKeyPosition(List<string> lines, SshAuthorizedKeySpec spec)
    {
        var rank = spec.ManagedKeys.IndexOf(spec.Key);
        if (rank < 0)
        {
            return lines.Count;
        }
        for (var i = 0; i < lines.Count; i++)
        {
            if (AuthorizedKeyLine.Parse(lines[i]).Key is { } key && spec.ManagedKeys.IndexOf(key) > rank)
            {
                return i;
            }
        }
        return lines.Count;
    }

    private static List<string> Remove(List<AuthorizedKeyLine> lines, string key) =>
        [.. lines.Where(l => l.Key != key).Select(l => l.Text)];

    private static HashSet<string> Managed(SshAuthorizedKeySpec spec) => [.. spec.ManagedKeys, spec.Key];

    private static List<AuthorizedKeyLine> ReadLines(IFileSystem files, string path) =>
        [.. Encoding.UTF8.GetString(files.ReadAllBytes(path)).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(AuthorizedKeyLine.Parse)];

    private static (string Directory, string File) Paths(TargetRoot root, PasswdEntry user)
    {
        var directory = root.Resolve(user.Home.TrimEnd('/') + "/.ssh");
        return (directory, directory + "/authorized_keys");
    }

    private static string? Owner(FileStatus? status) =>
        status is null ? null : string.Create(CultureInfo.InvariantCulture, $"{status.Uid}:{status.Gid}");

    private static void Compare(List<PropertyDiff> changes, string property, string? current, string wanted)
    {
        if (current is not null && current != wanted)
        {
            changes.Add(new PropertyDiff(property, current, wanted));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9+/]+={0,3}$")]
    private static partial Regex Base64();
}
