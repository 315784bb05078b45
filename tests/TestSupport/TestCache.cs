namespace Colabo.Config.TestSupport;

/// <summary>Where tests/setup keeps what it builds: $COLABO_TEST_CACHE, default /var/cache/colabo-test.</summary>
public static class TestCache
{
    public static string Directory { get; } = Environment.GetEnvironmentVariable("COLABO_TEST_CACHE") is { Length: > 0 } dir ? dir : "/var/cache/colabo-test";

    /// <summary>The tarball of a cached root filesystem, with a clear error when the setup has not built it.</summary>
    public static string Tarball(string image)
    {
        var path = Path.Combine(Directory, image + ".tar");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing; run tests/setup/10-debian-root.sh (as root) to build it");
    }
}
