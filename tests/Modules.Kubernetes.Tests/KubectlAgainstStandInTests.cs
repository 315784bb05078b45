using System.Diagnostics;
using Colabo.Config.Modules.Kubernetes.Tests.Support;

namespace Colabo.Config.Modules.Kubernetes.Tests;

/// <summary>
/// Holds the API stand-in to a real client: the installed kubectl drives it with server-side apply,
/// dry runs, label-selected gets and deletes, and sees what the kubernetes module applied (and the
/// module sees what kubectl applied).
/// </summary>
public sealed class KubectlAgainstStandInTests(StandInFixture cluster) : IClassFixture<StandInFixture>
{
    private readonly KubernetesModule module = new();

    private KubernetesStandIn StandIn => cluster.StandIn;

    [Fact(Timeout = 60_000)]
    public async Task kubectl_server_side_apply_creates_objects_the_module_then_finds_in_sync()
    {
        var ns = cluster.NewNamespace("kubectl-apply");
        var manifest = Path.Combine(cluster.Directory, $"{ns}.yaml");
        File.WriteAllText(manifest, $"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: {ns}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: {ns}
            data:
              mode: fast

            """);

        var apply = await Kubectl("apply", "--server-side", "--field-manager=colabo-test", "--validate=false", "-f", manifest);
        var plan = await Converge.Plan(module, Manifests.Resource("same", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("settings", ns, ("mode", "fast"))));

        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains($"configmap/settings serverside-applied", apply.Output, StringComparison.Ordinal);
        Assert.Equal("fast", StandIn.Get("v1", "configmaps", ns, "settings")!["data"]!["mode"]!.GetValue<string>());
        // The module's only difference is its own owned-by label and resource annotation.
        Assert.Equal(
            [$"Namespace/{ns} metadata.annotations.colabo.config/resource", $"Namespace/{ns} metadata.labels.colabo.config/owned-by",
             $"ConfigMap/{ns}/settings metadata.annotations.colabo.config/resource", $"ConfigMap/{ns}/settings metadata.labels.colabo.config/owned-by"],
            plan.Select(p => p.Property));
        Assert.Contains(StandIn.Requests, r => r.StartsWith($"PATCH /api/v1/namespaces/{ns}/configmaps/settings?", StringComparison.Ordinal) && r.Contains("fieldManager=colabo-test", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task kubectl_get_by_label_lists_exactly_what_the_module_applied()
    {
        var ns = cluster.NewNamespace("kubectl-get");
        await Converge.Run(module, Manifests.Resource("listed", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("a", ns), Manifests.ConfigMap("b", ns), Manifests.Deployment("web", ns, 2)));
        await Converge.Run(module, Manifests.Resource("unrelated", cluster.Kubeconfig, Manifests.ConfigMap("c", ns)));
        var owner = KubernetesModule.OwnerId(System.Environment.MachineName, "colabo-test", "kubernetes:listed");

        var configMaps = await Kubectl("get", "configmaps", "--all-namespaces", "-l", $"{KubernetesModule.OwnedByLabel}={owner}", "-o", "name");
        var replicas = await Kubectl("get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}");

        Assert.True(configMaps.ExitCode == 0, configMaps.Output);
        Assert.Equal("configmap/a\nconfigmap/b", configMaps.Output);
        Assert.Equal("2", replicas.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task kubectl_server_dry_run_changes_nothing()
    {
        var ns = cluster.NewNamespace("kubectl-dry");
        var manifest = Path.Combine(cluster.Directory, $"{ns}.yaml");
        File.WriteAllText(manifest, $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {ns}\n  namespace: default\ndata:\n  k: v\n");
        var mutations = StandIn.Mutations;

        var dryRun = await Kubectl("apply", "--server-side", "--dry-run=server", "--validate=false", "-f", manifest);

        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains("(server dry run)", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(mutations, StandIn.Mutations);
        Assert.Null(StandIn.Get("v1", "configmaps", "default", ns));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_object_kubectl_deletes_is_seen_as_absent_and_created_again_by_the_module()
    {
        var ns = cluster.NewNamespace("kubectl-delete");
        var desired = Manifests.Resource("del", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("victim", ns, ("a", "1")));
        await Converge.Run(module, desired);

        var delete = await Kubectl("delete", "configmap", "victim", "-n", ns);
        var repair = await Converge.Run(module, desired);

        Assert.True(delete.ExitCode == 0, delete.Output);
        Assert.Equal([($"ConfigMap/{ns}/victim", "absent", "present")], repair.Select(c => (c.Property, c.Before!, c.After!)));
        var get = await Kubectl("get", "configmap", "victim", "-n", ns, "-o", "jsonpath={.data.a}");
        Assert.Equal("1", get.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_field_another_manager_changed_with_kubectl_is_reported_as_drift_and_taken_back()
    {
        var ns = cluster.NewNamespace("kubectl-drift");
        var desired = Manifests.Resource("drift", cluster.Kubeconfig, Manifests.Namespace(ns), Manifests.ConfigMap("cfg", ns, ("level", "info")));
        await Converge.Run(module, desired);
        var manifest = Path.Combine(cluster.Directory, $"{ns}.yaml");
        File.WriteAllText(manifest, $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: {ns}\ndata:\n  level: debug\n");
        var edit = await Kubectl("apply", "--server-side", "--field-manager=someone-else", "--force-conflicts", "--validate=false", "-f", manifest);

        var repair = await Converge.Run(module, desired);

        Assert.True(edit.ExitCode == 0, edit.Output);
        Assert.Equal([($"ConfigMap/{ns}/cfg data.level", "debug", "info")], repair.Select(c => (c.Property, c.Before!, c.After!)));
        Assert.Equal("info", (await Kubectl("get", "configmap", "cfg", "-n", ns, "-o", "jsonpath={.data.level}")).Output);
    }

    private async Task<(int ExitCode, string Output)> Kubectl(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--kubeconfig={cluster.Kubeconfig}");
        start.ArgumentList.Add($"--cache-dir={Path.Combine(cluster.Directory, "kubectl-cache")}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // kubectl may write under $HOME; keep it inside the test's directory.
        start.Environment["HOME"] = cluster.Directory;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, ((await output).Trim() + "\n" + (await error).Trim()).Trim());
    }
}
