using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Files;

/// <summary>
/// <c>directory</c>: a directory with owner, group and mode, optionally purged of entries no
/// resource manages, or absent (removed with its contents). The parent must exist.
/// </summary>
public sealed class DirectoryModule : IResourceModule<DirectoryModule.State>
{
    private static readonly UnixFileMode DefaultMode = FileModes.Parse("0755");

    public string Kind => "directory";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Directory)
        {
            return [$"'{desired.Id}' has no directory spec"];
        }

        var spec = desired.Directory;
        var errors = PathRules.CheckFileLike(PathOf(desired), desired.Ensure, "a directory", spec.Owner, spec.Group, spec.Mode);
        errors.AddRange(spec.ManagedEntries.Where(e => e.Length == 0 || e.Contains('/', StringComparison.Ordinal) || e is "." or "..")
            .Select(e => $"managed entry '{e}' must be a plain name inside the directory"));
        return errors;
    }

    public Task<State?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Root.Resolve(PathOf(desired));
        var status = context.Files.GetStatus(path);
        if (status is null)
        {
            return Task.FromResult<State?>(null);
        }

        var spec = desired.Directory;
        IReadOnlyList<string> unmanaged = [];
        if (spec.Purge && status.Kind == FileKind.Directory && desired.Ensure != Ensure.Absent)
        {
            var managed = spec.ManagedEntries.ToHashSet(StringComparer.Ordinal);
            unmanaged = [.. context.Files.ListDirectory(path).Where(name => !managed.Contains(name))];
        }

        return Task.FromResult<State?>(new State(Ownership.Observe(context, status, spec.Owner, spec.Group), unmanaged));
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, State? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.Directory;
        var kind = current is null ? "absent" : Ownership.KindName(current.Metadata.Status.Kind);
        if (desired.Ensure == Ensure.Absent)
        {
            return current is null ? [] : [new PropertyDiff("ensure", kind, "absent")];
        }

        var diffs = new List<PropertyDiff>();
        var isDirectory = current?.Metadata.Status.Kind == FileKind.Directory;
        if (!isDirectory)
        {
            diffs.Add(new PropertyDiff("ensure", kind, "directory"));
        }

        Ownership.Diff(diffs, isDirectory ? current!.Metadata : null, spec.Owner, spec.Group, spec.Mode);
        if (isDirectory && current!.Unmanaged.Count > 0)
        {
            diffs.Add(new PropertyDiff("unmanaged_entries", string.Join(", ", current.Unmanaged), null));
        }

        return diffs;
    }

    public Task ApplyAsync(Resource desired, State? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var hostPath = PathOf(desired);
        var path = context.Root.Resolve(hostPath);
        if (desired.Ensure == Ensure.Absent)
        {
            context.Files.Delete(path, recursive: true);
            return Task.CompletedTask;
        }

        var spec = desired.Directory;
        var status = current?.Metadata.Status;
        if (status is not null && status.Kind != FileKind.Directory)
        {
            throw new InvalidOperationException($"'{hostPath}' exists and is a {Ownership.KindName(status.Kind)}; remove it first (a file resource with ensure: absent)");
        }

        if (status is null)
        {
            var parent = Path.GetDirectoryName(hostPath)!;
            if (context.Files.GetStatus(context.Root.Resolve(parent))?.Kind != FileKind.Directory)
            {
                throw new InvalidOperationException($"the parent directory '{parent}' does not exist; declare it as a directory resource");
            }

            var (uid, gid, mode) = Ownership.Resolve(context, null, spec.Owner, spec.Group, spec.Mode, DefaultMode);
            context.Files.CreateDirectory(path, uid, gid, mode);
            return Task.CompletedTask;
        }

        Ownership.Fix(context, path, status, spec.Owner, spec.Group, spec.Mode);
        foreach (var name in current!.Unmanaged)
        {
            cancellationToken.ThrowIfCancellationRequested();
            context.Files.Delete(Path.Combine(path, name), recursive: true);
        }

        return Task.CompletedTask;
    }

    internal static string PathOf(Resource desired) => desired.Directory.Path.Length > 0 ? desired.Directory.Path : desired.Name;

    /// <summary>A path that exists; <see cref="Unmanaged"/> is filled only when purging.</summary>
    public sealed record State(PathMetadata Metadata, IReadOnlyList<string> Unmanaged);
}
