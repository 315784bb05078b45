namespace Colabo.Config.SystemTests.Support;

/// <summary>
/// A git repository holding a copy of examples/roles, the master's role repository for the test.
/// <see cref="CommitAsync"/> is an admin's edit + commit (the master sees it on <c>colabo deploy</c>).
/// </summary>
public sealed class RoleRepository
{
    private RoleRepository(string path) => Path = path;

    public string Path { get; }

    /// <summary>Copies examples/roles to <paramref name="path"/>, appends <paramref name="nodeEntry"/> under <c>nodes:</c> and commits.</summary>
    public static async Task<RoleRepository> CreateAsync(string path, string nodeEntry, CancellationToken cancellationToken)
    {
        CopyDirectory(System.IO.Path.Combine(Shell.RepositoryRoot, "examples", "roles"), path);
        var repository = new RoleRepository(path);
        // nodes: is the last section of examples/roles/nodes.yaml, so an appended entry lands in it.
        await File.AppendAllTextAsync(System.IO.Path.Combine(path, "nodes.yaml"), "\n" + nodeEntry, cancellationToken);
        await repository.GitAsync(cancellationToken, "init", "-q", "-b", "main");
        await repository.CommitAllAsync("examples/roles and the test node", cancellationToken);
        return repository;
    }

    public string Read(string relativePath) => File.ReadAllText(System.IO.Path.Combine(Path, relativePath));

    /// <summary>Writes files (path relative to the repository → content) and commits them; returns the commit.</summary>
    public async Task<string> CommitAsync(string message, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken)
    {
        foreach (var (relative, content) in files)
        {
            var full = System.IO.Path.Combine(Path, relative);
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content, cancellationToken);
        }

        return await CommitAllAsync(message, cancellationToken);
    }

    private async Task<string> CommitAllAsync(string message, CancellationToken cancellationToken)
    {
        await GitAsync(cancellationToken, "add", "-A");
        await GitAsync(cancellationToken, "-c", "user.name=System Test", "-c", "user.email=system-test@colabo.test", "commit", "-q", "-m", message);
        return (await GitAsync(cancellationToken, "rev-parse", "HEAD")).Trim();
    }

    private Task<string> GitAsync(CancellationToken cancellationToken, params string[] arguments) =>
        Shell.RunAsync("git", arguments, TimeSpan.FromSeconds(30), Path, cancellationToken);

    private static void CopyDirectory(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var directory in System.IO.Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, directory)));
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file));
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
