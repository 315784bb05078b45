namespace Colabo.Config.Engine.Host;

/// <summary>The root directory modules act on: "/" on a real host, a sandbox in tests and demos.</summary>
public sealed record TargetRoot
{
    public TargetRoot(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!global::System.IO.Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"target root '{path}' must be an absolute path", nameof(path));
        }

        Path = global::System.IO.Path.TrimEndingDirectorySeparator(global::System.IO.Path.GetFullPath(path));
        if (Path.Length == 0)
        {
            Path = "/";
        }
    }

    public static TargetRoot HostRoot { get; } = new("/");

    public string Path { get; }

    public bool IsSystemRoot => Path == "/";

    /// <summary>Maps an absolute path on the managed host to the real path under this root.</summary>
    public string Resolve(string hostPath)
    {
        if (!hostPath.StartsWith('/'))
        {
            throw new ArgumentException($"path '{hostPath}' must be absolute", nameof(hostPath));
        }

        return IsSystemRoot ? hostPath : Path + hostPath;
    }
}
