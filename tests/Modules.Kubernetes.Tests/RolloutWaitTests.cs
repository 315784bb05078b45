using Colabo.Config.Modules.Kubernetes.Tests.Support;

namespace Colabo.Config.Modules.Kubernetes.Tests;

/// <summary>Waiting for Deployment rollouts, against a stand-in whose pretend controller holds rollouts until told.</summary>
public sealed class RolloutWaitTests : IAsyncLifetime
{
    private readonly KubernetesModule module = new(new KubernetesModuleOptions { RolloutPollInterval = TimeSpan.FromMilliseconds(20) });
    private KubernetesStandIn standIn = null!;
    private string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        standIn = await KubernetesStandIn.StartAsync();
        standIn.CompleteRolloutsAtOnce = false;
        kubeconfig = standIn.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"colabo-test-kube-{Guid.NewGuid():N}", "config"));
    }

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(kubeconfig)!, recursive: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task Apply_returns_once_the_deployment_finished_its_rollout()
    {
        var desired = Manifests.Resource("web", kubeconfig, Manifests.Deployment("web", "default", 2));
        desired.Kubernetes.Wait = true;
        desired.Kubernetes.WaitTimeoutSeconds = 25;
        var polled = standIn.RequestSeenAsync(r => r.StartsWith("GET /apis/apps/v1/namespaces/default/deployments/web ", StringComparison.Ordinal)
            && standIn.Requests.Any(q => q.StartsWith("PATCH /apis/apps/v1/namespaces/default/deployments/web?fieldManager=colabo-test&force=true ", StringComparison.Ordinal)));
        var current = await module.ReadAsync(desired, Converge.HostContext, CancellationToken.None);

        var apply = module.ApplyAsync(desired, current, module.Diff(desired, current), Converge.HostContext, CancellationToken.None);
        await polled;
        var stillWaiting = apply.IsCompleted;
        standIn.CompleteRollouts();
        await apply;

        Assert.False(stillWaiting);
        Assert.Empty(await Converge.Plan(module, desired));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_rollout_that_does_not_finish_in_time_fails_saying_what_is_pending()
    {
        var desired = Manifests.Resource("slow", kubeconfig, Manifests.Deployment("slow", "default", 2));
        desired.Kubernetes.Wait = true;
        desired.Kubernetes.WaitTimeoutSeconds = 1;
        var current = await module.ReadAsync(desired, Converge.HostContext, CancellationToken.None);

        var error = await Assert.ThrowsAsync<KubernetesException>(() => module.ApplyAsync(desired, current, module.Diff(desired, current), Converge.HostContext, CancellationToken.None));
        var plan = await Converge.Plan(module, desired);

        Assert.Equal("Deployment/default/slow did not finish its rollout within 1 s: 0 of 2 replicas updated", error.Message);
        Assert.Equal(("Deployment/default/slow rollout", "0 of 2 replicas updated", "complete"), (plan[0].Property, plan[0].Before, plan[0].After));
    }
}
