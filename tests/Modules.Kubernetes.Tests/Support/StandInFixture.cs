namespace Colabo.Config.Modules.Kubernetes.Tests.Support;

/// <summary>One Kubernetes API stand-in shared by a test class; tests keep apart by namespace.</summary>
public sealed class StandInFixture : IAsyncLifetime
{
    private int counter;

    public KubernetesStandIn StandIn { get; private set; } = null!;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("colabo-test-kube-").FullName;

    /// <summary>A kubeconfig (token auth) in a host path, for tests that run on root "/".</summary>
    public string Kubeconfig { get; private set; } = null!;

    public string NewNamespace(string what) => $"{what}-{Interlocked.Increment(ref counter)}";

    public async Task InitializeAsync()
    {
        StandIn = await KubernetesStandIn.StartAsync();
        Kubeconfig = StandIn.WriteKubeconfig(Path.Combine(Directory, "config"));
    }

    public async Task DisposeAsync()
    {
        await StandIn.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
