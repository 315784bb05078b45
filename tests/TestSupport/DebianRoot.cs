using System.Collections.Concurrent;
using Colabo.Config.Engine.Host;

namespace Colabo.Config.TestSupport;

/// <summary>
/// A private, writable Debian root filesystem for one test. The cached tarball is extracted once per
/// machine into a read-only lower directory; each root is an overlay mount on top of it (instant,
/// and the lower copy never changes). Where overlayfs cannot be mounted the tarball is extracted
/// into the root instead (~1 s). Disposing unmounts and deletes everything the test wrote.
/// </summary>
public sealed class DebianRoot : IAsyncDisposable
{
    public const string Minbase = "bookworm-minbase";
    public const string Systemd = "bookworm-systemd";

    /// <summary>Minbase with package lists from the setup's <c>apt-get update</c> (and the package module's stamp).</summary>
    public const string MinbaseApt = "bookworm-minbase-apt";

    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> LowerDirectories = new(StringComparer.Ordinal);
    private readonly string _workspace;
    private readonly bool _mounted;

    private DebianRoot(string workspace, string path, bool mounted)
    {
        _workspace = workspace;
        Path = path;
        _mounted = mounted;
        Root = new TargetRoot(path);
    }

    /// <summary>The root directory, e.g. /tmp/colabo-root-XXXX/root.</summary>
    public string Path { get; }

    public TargetRoot Root { get; }

    /// <summary>The real path of a path inside the root.</summary>
    public string Resolve(string hostPath) => Root.Resolve(hostPath);

    public static async Task<DebianRoot> CreateAsync(string image = Minbase, CancellationToken cancellationToken = default)
    {
        var tarball = TestCache.Tarball(image);
        var workspace = Directory.CreateTempSubdirectory("colabo-root-").FullName;
        // Unique last path component: systemd-nspawn derives the machine name from it.
        var root = System.IO.Path.Combine(workspace, "root-" + System.IO.Path.GetFileName(workspace).Replace("colabo-root-", "", StringComparison.Ordinal));
        Directory.CreateDirectory(root);
        try
        {
            var lower = await LowerDirectories.GetOrAdd(tarball, t => new Lazy<Task<string>>(() => ExtractLowerAsync(t))).Value;
            var upper = System.IO.Path.Combine(workspace, "upper");
            var work = System.IO.Path.Combine(workspace, "work");
            Directory.CreateDirectory(upper);
            Directory.CreateDirectory(work);
            var (exitCode, _, _) = await HostProcess.RunAsync(
                "mount", ["-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={upper},workdir={work}", root], TimeSpan.FromSeconds(30), cancellationToken);
            if (exitCode == 0)
            {
                return new DebianRoot(workspace, root, mounted: true);
            }

            await HostProcess.CheckedAsync("tar", ["-C", root, "-xf", tarball], TimeSpan.FromMinutes(2), cancellationToken);
            return new DebianRoot(workspace, root, mounted: false);
        }
        catch
        {
            Directory.Delete(workspace, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_mounted)
        {
            // Lazy: a process that just died in the root may still hold it for a moment.
            await HostProcess.RunAsync("umount", ["--lazy", Path], TimeSpan.FromSeconds(30));
        }

        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
            // A lazily unmounted tree can refuse for a moment; /tmp is cleaned by the OS anyway.
        }
    }

    /// <summary>Extracts the tarball once per machine into the cache (atomic rename; keyed by the tarball's time and size).</summary>
    private static async Task<string> ExtractLowerAsync(string tarball)
    {
        var info = new FileInfo(tarball);
        var lower = System.IO.Path.Combine(TestCache.Directory, "rootfs", $"{System.IO.Path.GetFileNameWithoutExtension(tarball)}-{info.LastWriteTimeUtc.Ticks}-{info.Length}");
        if (Directory.Exists(lower))
        {
            return lower;
        }

        var partial = $"{lower}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(partial);
        await HostProcess.CheckedAsync("tar", ["-C", partial, "-xf", tarball], TimeSpan.FromMinutes(2));
        try
        {
            Directory.Move(partial, lower);
        }
        catch (IOException) when (Directory.Exists(lower))
        {
            // Another test process won the race; its copy is identical.
            Directory.Delete(partial, recursive: true);
        }

        PruneOlderExtractions(lower);
        return lower;
    }

    /// <summary>Removes extractions of earlier builds of the same tarball (the setup rebuilds it before tests start).</summary>
    private static void PruneOlderExtractions(string current)
    {
        var name = System.IO.Path.GetFileName(current);
        var image = name[..name.LastIndexOf('-', name.LastIndexOf('-') - 1)];
        foreach (var sibling in new DirectoryInfo(System.IO.Path.GetDirectoryName(current)!).EnumerateDirectories(image + "-*"))
        {
            var rest = sibling.Name[(image.Length + 1)..].Split('-');
            if (sibling.FullName != current && rest.Length == 2 && rest.All(part => part.Length > 0 && part.All(char.IsAsciiDigit)))
            {
                try
                {
                    sibling.Delete(recursive: true);
                }
                catch (IOException)
                {
                    // In use by a run that started before the rebuild; the next prune gets it.
                }
            }
        }
    }
}
