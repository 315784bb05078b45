using Colabo.Config.Engine.Host;

namespace Colabo.Config.Modules.Tests.Support;

/// <summary>An empty sandbox root under the temp directory, removed on dispose.</summary>
internal sealed class TemporaryRoot : IDisposable
{
    public TemporaryRoot()
    {
        Path = Directory.CreateTempSubdirectory("colabo-root-").FullName;
        Root = new TargetRoot(Path);
    }

    public string Path { get; }

    public TargetRoot Root { get; }

    public static TargetRoot Create() => new(Directory.CreateTempSubdirectory("colabo-root-").FullName);

    public string Real(string hostPath) => Root.Resolve(hostPath);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
