using System.Globalization;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Accounts;

/// <summary>
/// <c>user</c>: uid, primary group, supplementary groups (a minimum, or exactly the list with
/// <c>groups_exclusive</c>), home, shell, comment, password hash, system accounts, absent. Reads the
/// target root's account files; changes go through useradd/usermod/userdel (<c>--root</c> for a sandbox).
/// Properties left empty in the spec are not managed.
/// </summary>
public sealed class UserModule : IResourceModule<UserState>
{
    private const string Redacted = "<redacted>";

    public string Kind => "user";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.User)
        {
            return [$"{desired.Id}: a user resource needs a user spec"];
        }

        var spec = desired.User;
        var errors = new List<string>();
        var name = NameOf(desired);
        if (!AccountNames.IsValid(name))
        {
            errors.Add($"{desired.Id}: '{name}' is not a valid user name (lower-case letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters)");
        }

        if (desired.Ensure is not (Ensure.Unspecified or Ensure.Present or Ensure.Absent))
        {
            errors.Add($"{desired.Id}: ensure '{desired.Ensure}' does not apply to users; use present or absent");
        }

        if (spec.Group.Length > 0 && !AccountNames.IsValid(spec.Group))
        {
            errors.Add($"{desired.Id}: primary group '{spec.Group}' is not a valid group name");
        }

        errors.AddRange(spec.Groups.Where(g => !AccountNames.IsValid(g)).Select(g => $"{desired.Id}: supplementary group '{g}' is not a valid group name"));
        if (spec.Home.Length > 0 && (!spec.Home.StartsWith('/') || spec.Home.Split('/').Any(part => part is "." or "..")))
        {
            errors.Add($"{desired.Id}: home '{spec.Home}' must be an absolute path without '.' or '..'");
        }

        if (spec.Shell.Length > 0 && !spec.Shell.StartsWith('/'))
        {
            errors.Add($"{desired.Id}: shell '{spec.Shell}' must be an absolute path");
        }

        foreach (var (property, value) in new[] { ("comment", spec.Comment), ("home", spec.Home), ("shell", spec.Shell), ("password_hash", spec.PasswordHash) })
        {
            if (value.AsSpan().IndexOfAny(":\n\r") >= 0)
            {
                errors.Add($"{desired.Id}: {property} must not contain ':' or a line break");
            }
        }

        return errors;
    }

    public Task<UserState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var accounts = AccountsSnapshot.Load(context.Root);
        var name = NameOf(desired);
        if (!accounts.Users.TryGetValue(name, out var entry))
        {
            return Task.FromResult<UserState?>(null);
        }

        var primary = accounts.GroupById(entry.Gid)?.Name ?? entry.Gid.ToString(CultureInfo.InvariantCulture);
        var state = new UserState(
            name, entry.Uid, entry.Gid, primary, accounts.SupplementaryGroupsOf(name), entry.Home, entry.Shell, entry.Comment,
            accounts.PasswordHashes.GetValueOrDefault(name, ""));
        return Task.FromResult<UserState?>(state);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, UserState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Ensure == Ensure.Absent)
        {
            return current is null ? [] : [new PropertyDiff("ensure", "present", "absent")];
        }

        if (current is null)
        {
            return [new PropertyDiff("ensure", "absent", "present")];
        }

        var spec = desired.User;
        var changes = new List<PropertyDiff>();
        if (spec.HasUid && spec.Uid != current.Uid)
        {
            changes.Add(new PropertyDiff("uid", Text(current.Uid), Text(spec.Uid)));
        }

        if (spec.Group.Length > 0 && spec.Group != current.PrimaryGroup)
        {
            changes.Add(new PropertyDiff("group", current.PrimaryGroup, spec.Group));
        }

        var wanted = WantedGroups(spec, current);
        if (!wanted.SequenceEqual(current.Groups, StringComparer.Ordinal))
        {
            changes.Add(new PropertyDiff("groups", string.Join(',', current.Groups), string.Join(',', wanted)));
        }

        Compare(changes, "home", current.Home, spec.Home);
        Compare(changes, "shell", current.Shell, spec.Shell);
        Compare(changes, "comment", current.Comment, spec.Comment);
        if (spec.PasswordHash.Length > 0 && spec.PasswordHash != current.PasswordHash)
        {
            changes.Add(new PropertyDiff("password_hash", current.PasswordHash.Length > 0 ? Redacted : null, Redacted));
        }

        return changes;
    }

    public async Task ApplyAsync(Resource desired, UserState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.User;
        var name = NameOf(desired);
        if (desired.Ensure == Ensure.Absent)
        {
            await ShadowTools.RunAsync("userdel", spec.ManageHome ? ["--remove", name] : [name], context, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (current is null)
        {
            await ShadowTools.RunAsync("useradd", CreateArguments(spec, name, AccountsSnapshot.Load(context.Root)), context, cancellationToken).ConfigureAwait(false);
            return;
        }

        var arguments = new List<string>();
        foreach (var change in changes)
        {
            switch (change.Property)
            {
                case "uid":
                    arguments.AddRange(["--uid", Text(spec.Uid)]);
                    break;
                case "group":
                    arguments.AddRange(["--gid", spec.Group]);
                    break;
                case "groups":
                    arguments.AddRange(["--groups", string.Join(',', WantedGroups(spec, current))]);
                    break;
                case "home":
                    arguments.AddRange(spec.ManageHome ? ["--home", spec.Home, "--move-home"] : ["--home", spec.Home]);
                    break;
                case "shell":
                    arguments.AddRange(["--shell", spec.Shell]);
                    break;
                case "comment":
                    arguments.AddRange(["--comment", spec.Comment]);
                    break;
                case "password_hash":
                    arguments.AddRange(["--password", spec.PasswordHash]);
                    break;
            }
        }

        if (arguments.Count > 0)
        {
            await ShadowTools.RunAsync("usermod", [.. arguments, name], context, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string NameOf(Resource desired) => desired.User is { Name.Length: > 0 } spec ? spec.Name : desired.Name;

    private static List<string> CreateArguments(UserSpec spec, string name, AccountsSnapshot accounts)
    {
        var arguments = new List<string>();
        if (spec.HasUid)
        {
            arguments.AddRange(["--uid", Text(spec.Uid)]);
        }

        if (spec.Group.Length > 0)
        {
            arguments.AddRange(["--gid", spec.Group]);
        }
        else if (accounts.Groups.ContainsKey(name))
        {
            // useradd refuses to create a same-name group that already exists; join it instead.
            arguments.AddRange(["--gid", name]);
        }

        if (spec.Groups.Count > 0)
        {
            arguments.AddRange(["--groups", string.Join(',', spec.Groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))]);
        }

        if (spec.Home.Length > 0)
        {
            arguments.AddRange(["--home-dir", spec.Home]);
        }

        if (spec.Shell.Length > 0)
        {
            arguments.AddRange(["--shell", spec.Shell]);
        }

        if (spec.Comment.Length > 0)
        {
            arguments.AddRange(["--comment", spec.Comment]);
        }

        if (spec.PasswordHash.Length > 0)
        {
            arguments.AddRange(["--password", spec.PasswordHash]);
        }

        if (spec.System)
        {
            arguments.Add("--system");
        }

        arguments.Add(spec.ManageHome ? "--create-home" : "--no-create-home");
        arguments.Add(name);
        return arguments;
    }

    private static List<string> WantedGroups(UserSpec spec, UserState current)
    {
        var wanted = spec.GroupsExclusive ? spec.Groups.AsEnumerable() : current.Groups.Concat(spec.Groups);
        return [.. wanted.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static void Compare(List<PropertyDiff> changes, string property, string current, string wanted)
    {
        if (wanted.Length > 0 && wanted != current)
        {
            changes.Add(new PropertyDiff(property, current, wanted));
        }
    }

    private static string Text(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
