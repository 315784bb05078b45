using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Conformance;
using Colabo.Config.Modules.Kubernetes.Tests.Support;

namespace Colabo.Config.Modules.Kubernetes.Tests;

/// <summary>
/// The shared module conformance kit over the kubernetes module, against the API stand-in (no real
/// API server can run here). The kubeconfig lives in the target root, which the module reads but
/// never writes. The cluster lives outside the root, so this class also proves a noop run never
/// sends the stand-in a request that would change it.
/// </summary>
public sealed class KubernetesModuleConformanceTests(StandInFixture cluster) : ModuleConformanceTests, IClassFixture<StandInFixture>
{
    private const string Kubeconfig = "/etc/colabo/kubeconfig";

    protected override IEnumerable<IResourceModule> Modules => [new KubernetesModule()];

    protected override Task<TargetRoot> CreateTargetRootAsync()
    {
        var root = new TargetRoot(Directory.CreateTempSubdirectory("colabo-test-kube-root-").FullName);
        cluster.StandIn.WriteKubeconfig(root.Resolve(Kubeconfig));
        return Task.FromResult(root);
    }

    protected override IReadOnlyList<Resource> PresentResources(TargetRoot root)
    {
        var ns = Namespace(root);
        var desired = Manifests.Resource("site", Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("settings", ns, ("mode", "fast")), Manifests.Deployment("web", ns, 2));
        desired.Kubernetes.Prune = true;
        desired.Kubernetes.Wait = true;
        desired.Kubernetes.WaitTimeoutSeconds = 10;
        return [desired];
    }

    [Fact(Timeout = 60_000)]
    public async Task A_noop_run_never_changes_the_cluster()
    {
        var root = await CreateTargetRootAsync();
        try
        {
            var resources = PresentResources(root);
            var fresh = cluster.StandIn.Mutations;
            var onFresh = await ConvergeAsync(root, resources, RunMode.Noop);
            var afterFresh = cluster.StandIn.Mutations;
            AssertNoFailures(await ConvergeAsync(root, resources, RunMode.Enforce));
            var changed = resources[0].Clone();
            changed.Kubernetes.Objects.RemoveAt(1);
            changed.Kubernetes.Objects[1] = Manifests.Deployment("web", Namespace(root), 5);
            var converged = cluster.StandIn.Mutations;
            var onConverged = await ConvergeAsync(root, [changed], RunMode.Noop);

            Assert.Equal(OutcomeStatus.WouldChange, Assert.Single(onFresh.Outcomes).Status);
            Assert.Equal(fresh, afterFresh);
            var outcome = Assert.Single(onConverged.Outcomes);
            Assert.Equal(OutcomeStatus.WouldChange, outcome.Status);
            Assert.Contains(outcome.Changes, c => c.Property.EndsWith("spec.replicas", StringComparison.Ordinal) && c.After == "5");
            Assert.Contains(outcome.Changes, c => c.Property == $"ConfigMap/{Namespace(root)}/settings" && c.After == "absent (pruned)");
            Assert.Equal(converged, cluster.StandIn.Mutations);
            Assert.NotNull(cluster.StandIn.Get("v1", "configmaps", Namespace(root), "settings"));
        }
        finally
        {
            await DeleteTargetRootAsync(root);
        }
    }

    private static string Namespace(TargetRoot root) =>
        "conf-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root.Path)))[..10];
}
