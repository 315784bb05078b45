using System.Globalization;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Accounts;

/// <summary><c>group</c>: gid, system groups, absent; through groupadd/groupmod/groupdel (<c>--root</c> for a sandbox).</summary>
public sealed class GroupModule : IResourceModule<GroupState>
{
    public string Kind => "group";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Group)
        {
            return [$"{desired.Id}: a group resource needs a group spec"];
        }

        var errors = new List<string>();
        var name = NameOf(desired);
        if (!AccountNames.IsValid(name))
        {
            errors.Add($"{desired.Id}: '{name}' is not a valid group name (lower-case letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters)");
        }

        if (desired.Ensure is not (Ensure.Unspecified or Ensure.Present or Ensure.Absent))
        {
            errors.Add($"{desired.Id}: ensure '{desired.Ensure}' does not apply to groups; use present or absent");
        }

        return errors;
    }

    public Task<GroupState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var accounts = AccountsSnapshot.Load(context.Root);
        return Task.FromResult(accounts.Groups.TryGetValue(NameOf(desired), out var group) ? new GroupState(group.Name, group.Gid) : null);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, GroupState? current)
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

        return desired.Group.HasGid && desired.Group.Gid != current.Gid
            ? [new PropertyDiff("gid", Text(current.Gid), Text(desired.Group.Gid))]
            : [];
    }

    public async Task ApplyAsync(Resource desired, GroupState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.Group;
        var name = NameOf(desired);
        if (desired.Ensure == Ensure.Absent)
        {
            await ShadowTools.RunAsync("groupdel", [name], context, cancellationToken).ConfigureAwait(false);
        }
        else if (current is null)
        {
            var arguments = new List<string>();
            if (spec.HasGid)
            {
                arguments.AddRange(["--gid", Text(spec.Gid)]);
            }

            if (spec.System)
            {
                arguments.Add("--system");
            }

            await ShadowTools.RunAsync("groupadd", [.. arguments, name], context, cancellationToken).ConfigureAwait(false);
        }
        else if (spec.HasGid)
        {
            await ShadowTools.RunAsync("groupmod", ["--gid", Text(spec.Gid), name], context, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string NameOf(Resource desired) => desired.Group is { Name.Length: > 0 } spec ? spec.Name : desired.Name;

    private static string Text(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
