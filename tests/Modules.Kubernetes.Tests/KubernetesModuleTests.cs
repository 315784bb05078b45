using Colabo.Config.Contracts.V1;
using Colabo.Config.Modules.Kubernetes.Tests.Support;

namespace Colabo.Config.Modules.Kubernetes.Tests;

/// <summary>The kubernetes module against the API stand-in (no real API server can run here; see <see cref="KubernetesStandIn"/>).</summary>
public sealed class KubernetesModuleTests(StandInFixture cluster) : IClassFixture<StandInFixture>
{
    private readonly KubernetesModule module = new();

    private KubernetesStandIn StandIn => cluster.StandIn;

    [Fact(Timeout = 30_000)]
    public async Task Applying_creates_every_object_with_the_owned_by_label_and_a_second_run_is_in_sync()
    {
        var ns = cluster.NewNamespace("create");
        var desired = Manifests.Resource("web", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("settings", ns, ("mode", "fast")), Manifests.Deployment("web", ns, 2));

        var first = await Converge.Run(module, desired);
        var second = await Converge.Plan(module, desired);

        Assert.Equal([$"Namespace/{ns}", $"ConfigMap/{ns}/settings", $"Deployment/{ns}/web"], first.Select(c => c.Property));
        Assert.All(first, c => Assert.Equal(("absent", "present"), (c.Before, c.After)));
        Assert.Empty(second);
        var configMap = StandIn.Get("v1", "configmaps", ns, "settings")!;
        Assert.Equal("fast", configMap["data"]!["mode"]!.GetValue<string>());
        Assert.Equal(KubernetesModule.OwnerId(System.Environment.MachineName, "colabo-test", "kubernetes:web"), configMap["metadata"]!["labels"]![KubernetesModule.OwnedByLabel]!.GetValue<string>());
        Assert.Equal("colabo-test", configMap["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
        Assert.Contains(StandIn.Requests, r => r.StartsWith($"PATCH /apis/apps/v1/namespaces/{ns}/deployments/web?fieldManager=colabo-test&force=true ", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_changed_field_is_reported_field_by_field_from_the_server_side_dry_run()
    {
        var ns = cluster.NewNamespace("change");
        await Converge.Run(module, Manifests.Resource("app", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.Deployment("app", ns, 1)));

        var changes = await Converge.Run(module, Manifests.Resource("app", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.Deployment("app", ns, 3)));

        var change = Assert.Single(changes);
        Assert.Equal(($"Deployment/{ns}/app spec.replicas", "1", "3"), (change.Property, change.Before, change.After));
        Assert.Equal(3, StandIn.Get("apps/v1", "deployments", ns, "app")!["spec"]!["replicas"]!.GetValue<long>());
    }

    [Fact(Timeout = 30_000)]
    public async Task Reading_and_diffing_never_change_the_cluster_and_use_a_dry_run()
    {
        var ns = cluster.NewNamespace("noop");
        await Converge.Run(module, Manifests.Resource("cfg", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("cfg", ns, ("a", "1"))));
        var changed = Manifests.Resource("cfg", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("cfg", ns, ("a", "2")));
        var mutations = StandIn.Mutations;

        var plan = await Converge.Plan(module, changed);

        Assert.Equal(mutations, StandIn.Mutations);
        Assert.Equal(($"ConfigMap/{ns}/cfg data.a", "1", "2"), (plan[0].Property, plan[0].Before, plan[0].After));
        Assert.Contains(StandIn.Requests, r => r.StartsWith($"PATCH /api/v1/namespaces/{ns}/configmaps/cfg?", StringComparison.Ordinal) && r.Contains("dryRun=All", StringComparison.Ordinal));
        Assert.Equal("1", StandIn.Get("v1", "configmaps", ns, "cfg")!["data"]!["a"]!.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task Prune_deletes_what_this_resource_applied_before_and_no_longer_declares_and_nothing_else()
    {
        var ns = cluster.NewNamespace("prune");
        var before = Manifests.Resource("site", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("keep", ns), Manifests.ConfigMap("drop", ns));
        before.Kubernetes.Prune = true;
        await Converge.Run(module, before);
        await Converge.Run(module, Manifests.Resource("other", cluster.Kubeconfig, Manifests.ConfigMap("foreign", ns)));
        var after = Manifests.Resource("site", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("keep", ns));
        after.Kubernetes.Prune = true;

        var changes = await Converge.Run(module, after);

        Assert.Equal([($"ConfigMap/{ns}/drop", "present", "absent (pruned)")], changes.Select(c => (c.Property, c.Before!, c.After!)));
        Assert.Null(StandIn.Get("v1", "configmaps", ns, "drop"));
        Assert.NotNull(StandIn.Get("v1", "configmaps", ns, "keep"));
        Assert.NotNull(StandIn.Get("v1", "configmaps", ns, "foreign"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_nodes_applying_a_resource_of_the_same_name_never_prune_each_others_objects()
    {
        var ns = cluster.NewNamespace("twonodes");
        var nodeA = new KubernetesModule(new KubernetesModuleOptions { NodeName = "node-a" });
        var nodeB = new KubernetesModule(new KubernetesModuleOptions { NodeName = "node-b" });
        var onA = Manifests.Resource("shared", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("from-a", ns));
        var onB = Manifests.Resource("shared", cluster.Kubeconfig, Manifests.ConfigMap("from-b", ns));
        onA.Kubernetes.Prune = onB.Kubernetes.Prune = true;
        await Converge.Run(nodeA, onA);

        var changes = await Converge.Run(nodeB, onB);

        Assert.Equal([$"ConfigMap/{ns}/from-b"], changes.Select(c => c.Property));
        Assert.NotNull(StandIn.Get("v1", "configmaps", ns, "from-a"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_prune_an_object_no_longer_declared_is_left_alone()
    {
        var ns = cluster.NewNamespace("noprune");
        await Converge.Run(module, Manifests.Resource("site", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("old", ns)));

        var changes = await Converge.Run(module, Manifests.Resource("site", cluster.Kubeconfig, Manifests.Namespace(ns)));

        Assert.Empty(changes);
        Assert.NotNull(StandIn.Get("v1", "configmaps", ns, "old"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Ensure_absent_deletes_the_declared_objects_and_a_further_run_is_in_sync()
    {
        var ns = cluster.NewNamespace("absent");
        var desired = Manifests.Resource("gone", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("c", ns));
        await Converge.Run(module, desired);
        desired.Ensure = Ensure.Absent;

        var removal = await Converge.Run(module, desired);
        var again = await Converge.Plan(module, desired);

        Assert.Equal([$"Namespace/{ns}", $"ConfigMap/{ns}/c"], removal.Select(c => c.Property));
        Assert.Empty(again);
        Assert.Null(StandIn.Get("v1", "namespaces", null, ns));
    }

    [Fact(Timeout = 30_000)]
    public async Task Secret_values_never_appear_in_the_diff()
    {
        var ns = cluster.NewNamespace("secret");
        await Converge.Run(module, Manifests.Resource("s", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.Secret("db", ns, "password", "hunter2")));

        var plan = await Converge.Plan(module, Manifests.Resource("s", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.Secret("db", ns, "password", "correct-horse")));

        var change = Assert.Single(plan);
        Assert.Equal(($"Secret/{ns}/db stringData.password", "(redacted)", "(redacted)"), (change.Property, change.Before, change.After));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_namespace_defaults_to_the_resource_namespace_for_objects_that_name_none()
    {
        var ns = cluster.NewNamespace("defaultns");
        var desired = Manifests.Resource("d", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("unnamespaced"));
        desired.Kubernetes.Namespace = ns;

        await Converge.Run(module, desired);

        Assert.NotNull(StandIn.Get("v1", "configmaps", ns, "unnamespaced"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_kind_the_server_does_not_serve_fails_with_a_clear_error()
    {
        var desired = Manifests.Resource("crd", cluster.Kubeconfig, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}""");

        var error = await Assert.ThrowsAsync<KubernetesException>(() => module.ReadAsync(desired, Converge.HostContext, CancellationToken.None));

        Assert.Equal("the API server does not serve example.com/v1 (is the CRD or API group installed?)", error.Message);
    }

    [Fact]
    public void Validation_names_the_object_and_what_is_wrong()
    {
        var desired = Manifests.Resource("bad", "/k", "not json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""", Manifests.ConfigMap("Upper"), Manifests.ConfigMap("twice"), Manifests.ConfigMap("twice"));

        var errors = module.Validate(desired);

        Assert.Equal(4, errors.Count);
        Assert.StartsWith("kubernetes:bad: object 1 is not valid JSON", errors[0], StringComparison.Ordinal);
        Assert.Equal("kubernetes:bad: object 2 (ConfigMap) has no metadata.name (generateName cannot be applied idempotently)", errors[1]);
        Assert.Contains("'Upper'", errors[2], StringComparison.Ordinal);
        Assert.Equal("kubernetes:bad: object 5 (ConfigMap/twice) is declared twice", errors[3]);
    }
}
