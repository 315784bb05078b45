using System.Collections.Frozen;

namespace Colabo.Config.Compiler.Repository;

/// <summary>
/// The files of a role repository at one commit, fully read into memory so that compiling never
/// touches a working copy that may change underneath. Immutable; parsed roles are cached on it.
/// </summary>
public sealed class RepositorySnapshot
{
    private readonly FrozenDictionary<string, RepositoryFile> _files;
    private readonly Lazy<RoleSet> _roles;

    public RepositorySnapshot(string commit, IEnumerable<RepositoryFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        Commit = commit;
        _files = files.ToFrozenDictionary(f => f.Path, StringComparer.Ordinal);
        _roles = new Lazy<RoleSet>(() => RoleSet.Parse(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Full hex commit id, or "working-copy" for a snapshot read from a directory.</summary>
    public string Commit { get; }

    public IEnumerable<RepositoryFile> Files => _files.Values;

    public bool Contains(string path) => _files.ContainsKey(path);

    public RepositoryFile? Find(string path) => _files.GetValueOrDefault(path);

    public string? ReadText(string path) => _files.TryGetValue(path, out var f) ? f.Text : null;

    /// <summary>Files whose path starts with <paramref name="directory"/> + "/", sorted by path.</summary>
    public IEnumerable<RepositoryFile> Under(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return _files.Values.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(f => f.Path, StringComparer.Ordinal);
    }

    /// <summary>The parsed roles and classification of this snapshot (parsed once, then shared).</summary>
    public RoleSet Roles => _roles.Value;

    /// <summary>Reads a plain directory (not through git), for validating uncommitted work.</summary>
    public static RepositorySnapshot FromDirectory(string root)
    {
        var full = System.IO.Path.GetFullPath(root);
        var files = new List<RepositoryFile>();
        foreach (var path in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(full, path).Replace('\\', '/');
            if (relative.StartsWith(".git/", StringComparison.Ordinal) || relative == ".git" ||
                relative.Contains("/node_modules/", StringComparison.Ordinal))
            {
                continue;
            }
            var mode = OperatingSystem.IsWindows() ? 0x1A4u
                : (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0 ? 0x1EDu : 0x1A4u;
            files.Add(new RepositoryFile(relative, File.ReadAllBytes(path), mode));
        }
        return new RepositorySnapshot("working-copy", files);
    }
}
