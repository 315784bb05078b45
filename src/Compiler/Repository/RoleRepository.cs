using System.Globalization;
using System.Text;
using Colabo.Config.Compiler.Internal;

namespace Colabo.Config.Compiler.Repository;

/// <summary>
/// A role repository read through the git CLI. Snapshots are taken from a commit's tree
/// (<c>git ls-tree</c> + <c>git cat-file --batch</c>), never from the working copy, so a
/// concurrent checkout or edit cannot change what a compile sees.
/// </summary>
public sealed class RoleRepository
{
    private RoleRepository(string path) => Path = path;

    /// <summary>The directory of the repository (a working copy or a bare repository).</summary>
    public string Path { get; }

    /// <summary>Opens a git repository; throws <see cref="RoleRepositoryException"/> when it is not one.</summary>
    public static async Task<RoleRepository> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new RoleRepositoryException($"role repository '{full}' does not exist");
        }
        var result = await GitProcess.RunAsync(full, ["rev-parse", "--git-dir"], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new RoleRepositoryException($"'{full}' is not a git repository: {result.ErrorText.Trim()}");
        }
        return new RoleRepository(full);
    }

    /// <summary>
    /// Mirrors a role repository (a URL or a local path) into <paramref name="directory"/> as a bare
    /// mirror, or opens the mirror when it already exists there. Branches of the source are local
    /// branches of the mirror, so <see cref="ResolveRefAsync"/> takes plain branch names.
    /// </summary>
    public static async Task<RoleRepository> MirrorAsync(string source, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var full = System.IO.Path.GetFullPath(directory);
        if (!Directory.Exists(full) || !Directory.EnumerateFileSystemEntries(full).Any())
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            var clone = await GitProcess.RunAsync(System.IO.Path.GetDirectoryName(full)!,
                ["clone", "--mirror", "--quiet", "--", source, full], cancellationToken);
            if (clone.ExitCode != 0)
            {
                throw new RoleRepositoryException($"cannot clone role repository '{source}': {clone.ErrorText.Trim()}");
            }
        }
        return await OpenAsync(full, cancellationToken);
    }

    /// <summary>Fetches every branch and tag of the mirror's origin (pruning deleted ones).</summary>
    public async Task FetchAsync(CancellationToken cancellationToken = default)
    {
        var fetch = await GitProcess.RunAsync(Path, ["fetch", "--prune", "--quiet", "origin"], cancellationToken);
        if (fetch.ExitCode != 0)
        {
            throw new RoleRepositoryException($"cannot fetch the role repository at '{Path}': {fetch.ErrorText.Trim()}");
        }
    }

    /// <summary>Resolves a branch, tag or (abbreviated) commit to a full commit id.</summary>
    public async Task<string> ResolveRefAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (reference.StartsWith('-'))
        {
            throw new RoleRepositoryException($"'{reference}' is not a valid git reference");
        }
        var result = await GitProcess.RunAsync(Path, ["rev-parse", "--verify", "--quiet", reference + "^{commit}"], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new RoleRepositoryException(
                $"'{reference}' is not a branch, tag or commit of the role repository at '{Path}'");
        }
        return Encoding.UTF8.GetString(result.Output).Trim();
    }

    /// <summary>Reads every blob of the commit's tree into memory.</summary>
    public async Task<RepositorySnapshot> SnapshotAsync(string commit, CancellationToken cancellationToken = default)
    {
        var resolved = await ResolveRefAsync(commit, cancellationToken);
        var tree = await GitProcess.RunAsync(Path, ["ls-tree", "-r", "-z", "--full-tree", resolved], cancellationToken);
        if (tree.ExitCode != 0)
        {
            throw new RoleRepositoryException($"cannot list commit {resolved}: {tree.ErrorText.Trim()}");
        }

        var entries = new List<(string Path, string Sha, uint Mode)>();
        foreach (var record in Encoding.UTF8.GetString(tree.Output).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<mode> SP <type> SP <sha> TAB <path>"
            var tab = record.IndexOf('\t', StringComparison.Ordinal);
            var meta = record[..tab].Split(' ');
            if (meta[1] != "blob" || meta[0] == "120000")
            {
                continue; // submodules and symlinks are not role content
            }
            var mode = meta[0] == "100755" ? 0x1EDu : 0x1A4u;
            entries.Add((record[(tab + 1)..], meta[2], mode));
        }

        var input = new StringBuilder();
        foreach (var e in entries)
        {
            input.Append(e.Sha).Append('\n');
        }
        var blobs = await GitProcess.RunAsync(Path, ["cat-file", "--batch"], cancellationToken, Encoding.ASCII.GetBytes(input.ToString()));
        if (blobs.ExitCode != 0)
        {
            throw new RoleRepositoryException($"cannot read blobs of commit {resolved}: {blobs.ErrorText.Trim()}");
        }

        var files = new List<RepositoryFile>(entries.Count);
        var data = blobs.Output;
        var position = 0;
        foreach (var e in entries)
        {
            // "<sha> SP blob SP <size> LF <content> LF"
            var headerEnd = Array.IndexOf(data, (byte)'\n', position);
            var header = Encoding.ASCII.GetString(data, position, headerEnd - position).Split(' ');
            var size = int.Parse(header[2], CultureInfo.InvariantCulture);
            var content = data.AsSpan(headerEnd + 1, size).ToArray();
            files.Add(new RepositoryFile(e.Path, content, e.Mode));
            position = headerEnd + 1 + size + 1;
        }
        return new RepositorySnapshot(resolved, files);
    }
}
