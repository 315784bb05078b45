using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Files;

/// <summary>
/// <c>file</c>: a regular file with content (text or binary), owner, group and mode, or absent.
/// Content is written atomically; the parent directory must exist (declare it as a directory).
/// </summary>
public sealed class FileModule : IResourceModule<FileModule.State>, IResourceLocking
{
    private static readonly UnixFileMode DefaultMode = FileModes.Parse("0644");

    public string Kind => "file";

    public string? LockKeyOf(Resource desired) => "path:" + PathOf(desired);

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.File)
        {
            return [$"'{desired.Id}' has no file spec"];
        }

        var spec = desired.File;
        return PathRules.CheckFileLike(PathOf(desired), desired.Ensure, "a file", spec.Owner, spec.Group, spec.Mode);
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

        var spec = desired.File;
        string? differentDigest = null;
        if (status.Kind == FileKind.File && ManagesContent(spec) && desired.Ensure != Ensure.Absent)
        {
            // Compare without keeping the content: a no-op run over many files allocates almost nothing.
            var current = context.Files.ReadAllBytes(path);
            if (!SameContent(spec, current))
            {
                differentDigest = Digest(current);
            }
        }

        return Task.FromResult<State?>(new State(Ownership.Observe(context, status, spec.Owner, spec.Group), differentDigest));
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, State? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.File;
        var kind = current is null ? "absent" : Ownership.KindName(current.Metadata.Status.Kind);
        if (desired.Ensure == Ensure.Absent)
        {
            return current is null ? [] : [new PropertyDiff("ensure", kind, "absent")];
        }

        var diffs = new List<PropertyDiff>();
        var isFile = current?.Metadata.Status.Kind == FileKind.File;
        if (!isFile)
        {
            diffs.Add(new PropertyDiff("ensure", kind, "file"));
        }

        if ((!isFile && HasBody(spec)) || (isFile && current!.DifferentContentDigest is not null))
        {
            diffs.Add(new PropertyDiff("content", isFile ? current!.DifferentContentDigest : null, Digest(DesiredContent(spec))));
        }

        Ownership.Diff(diffs, isFile ? current!.Metadata : null, spec.Owner, spec.Group, spec.Mode);
        return diffs;
    }

    public Task ApplyAsync(Resource desired, State? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var hostPath = PathOf(desired);
        var path = context.Root.Resolve(hostPath);
        var status = current?.Metadata.Status;
        if (status?.Kind is FileKind.Directory)
        {
            throw new InvalidOperationException($"'{hostPath}' is a directory; a file resource does not replace or remove directories");
        }

        if (desired.Ensure == Ensure.Absent)
        {
            context.Files.Delete(path, recursive: false);
            return Task.CompletedTask;
        }

        var spec = desired.File;
        if (status?.Kind != FileKind.File || changes.Any(c => c.Property == "content"))
        {
            var parent = Path.GetDirectoryName(hostPath)!;
            if (context.Files.GetStatus(context.Root.Resolve(parent))?.Kind != FileKind.Directory)
            {
                throw new InvalidOperationException($"the parent directory '{parent}' does not exist; declare it as a directory resource");
            }

            var existing = status?.Kind == FileKind.File ? status : null;
            var (uid, gid, mode) = Ownership.Resolve(context, existing, spec.Owner, spec.Group, spec.Mode, DefaultMode);
            context.Files.WriteFileAtomically(path, HasBody(spec) ? DesiredContent(spec) : [], uid, gid, mode);
        }
        else
        {
            Ownership.Fix(context, path, status, spec.Owner, spec.Group, spec.Mode);
        }

        return Task.CompletedTask;
    }

    internal static string PathOf(Resource desired) => desired.File.Path.Length > 0 ? desired.File.Path : desired.Name;

    /// <summary>"sha256:HEX"; reports show digests rather than whole files.</summary>
    public static string Digest(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static bool HasBody(FileSpec spec) => spec.BodyCase != FileSpec.BodyOneofCase.None;

    /// <summary>Whether an existing file's content is compared (replace: false only creates missing files).</summary>
    private static bool ManagesContent(FileSpec spec) => HasBody(spec) && (!spec.HasReplace || spec.Replace);

    private static byte[] DesiredContent(FileSpec spec) =>
        spec.BodyCase == FileSpec.BodyOneofCase.BinaryContent ? spec.BinaryContent.ToByteArray() : Encoding.UTF8.GetBytes(spec.Content);

    private static bool SameContent(FileSpec spec, byte[] current)
    {
        if (spec.BodyCase == FileSpec.BodyOneofCase.BinaryContent)
        {
            return spec.BinaryContent.Span.SequenceEqual(current);
        }

        var text = spec.Content;
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= 4096)
        {
            Span<byte> buffer = stackalloc byte[4096];
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return buffer[..length].SequenceEqual(current);
        }

        return Encoding.UTF8.GetByteCount(text) == current.Length && Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(current);
    }

    /// <summary>A path that exists; <see cref="DifferentContentDigest"/> is the digest of its content when that content is managed and differs.</summary>
    public sealed record State(PathMetadata Metadata, string? DifferentContentDigest);
}
