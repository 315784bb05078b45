using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Kubernetes.Tests.Support;

namespace Colabo.Config.Modules.Kubernetes.Tests;

/// <summary>Kubeconfig and in-cluster authentication against the API stand-in over real TLS.</summary>
public sealed class ConnectionTests(StandInFixture cluster) : IClassFixture<StandInFixture>
{
    private KubernetesStandIn StandIn => cluster.StandIn;

    [Fact(Timeout = 30_000)]
    public async Task A_bearer_token_from_the_kubeconfig_authenticates()
    {
        var name = cluster.NewNamespace("token");

        await Converge.Run(new KubernetesModule(), Manifests.Resource("t", cluster.Kubeconfig, Manifests.ConfigMap(name, "default")));

        Assert.Contains(StandIn.Requests, r => r.StartsWith($"PATCH /api/v1/namespaces/default/configmaps/{name}?fieldManager", StringComparison.Ordinal) && r.EndsWith(" token", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_certificate_from_the_kubeconfig_authenticates()
    {
        var name = cluster.NewNamespace("cert");
        var kubeconfig = StandIn.WriteKubeconfig(Path.Combine(cluster.Directory, $"{name}.yaml"), clientCertificate: true);

        await Converge.Run(new KubernetesModule(), Manifests.Resource("c", kubeconfig, Manifests.ConfigMap(name, "default")));

        Assert.Contains(StandIn.Requests, r => r.StartsWith($"PATCH /api/v1/namespaces/default/configmaps/{name}?fieldManager", StringComparison.Ordinal) && r.EndsWith(" cert:colabo-agent", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_in_cluster_service_account_is_used_when_no_kubeconfig_is_named()
    {
        var root = Directory.CreateTempSubdirectory("colabo-test-pod-").FullName;
        var account = Path.Combine(root, "var/run/secrets/kubernetes.io/serviceaccount");
        Directory.CreateDirectory(account);
        File.WriteAllText(Path.Combine(account, "token"), KubernetesStandIn.Token + "\n");
        File.WriteAllText(Path.Combine(account, "ca.crt"), StandIn.Certificates.AuthorityPem);
        File.WriteAllText(Path.Combine(account, "namespace"), "kube-system\n");
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1", ["KUBERNETES_SERVICE_PORT"] = StandIn.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var module = new KubernetesModule(new KubernetesModuleOptions { Environment = environment.GetValueOrDefault });
        var name = cluster.NewNamespace("pod");
        var context = ModuleContext.ForRoot(new TargetRoot(root));

        await Converge.Run(module, Manifests.Resource("p", "", Manifests.ConfigMap(name)), context);

        Assert.NotNull(StandIn.Get("v1", "configmaps", "kube-system", name));
        Directory.Delete(root, recursive: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task KUBECONFIG_is_used_when_no_kubeconfig_is_named_outside_a_cluster()
    {
        var module = new KubernetesModule(new KubernetesModuleOptions { Environment = n => n == "KUBECONFIG" ? $"/nonexistent:{cluster.Kubeconfig}" : null });
        var name = cluster.NewNamespace("env");

        await Converge.Run(module, Manifests.Resource("e", "", Manifests.ConfigMap(name, "default")));

        Assert.NotNull(StandIn.Get("v1", "configmaps", "default", name));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_certificate_from_another_CA_is_refused_and_the_error_says_to_check_the_CA()
    {
        using var other = new TestCertificates();
        var path = Path.Combine(cluster.Directory, "wrong-ca.yaml");
        var text = File.ReadAllText(cluster.Kubeconfig).Replace(
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(StandIn.Certificates.AuthorityPem)),
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(other.AuthorityPem)),
            StringComparison.Ordinal);
        File.WriteAllText(path, text);

        var error = await Assert.ThrowsAsync<KubernetesException>(() => new KubernetesModule().ReadAsync(
            Manifests.Resource("x", path, Manifests.ConfigMap("x", "default")), Converge.HostContext, CancellationToken.None));

        Assert.Contains($"cannot reach the Kubernetes API at {StandIn.Server}", error.Message, StringComparison.Ordinal);
        Assert.Contains("is the cluster CA right?", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_rejected_token_says_the_credentials_were_not_accepted()
    {
        var path = StandIn.WriteKubeconfig(Path.Combine(cluster.Directory, "wrong-token.yaml"), token: "wrong");

        var error = await Assert.ThrowsAsync<KubernetesException>(() => new KubernetesModule().ReadAsync(
            Manifests.Resource("x", path, Manifests.ConfigMap("x", "default")), Converge.HostContext, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains($"were not accepted", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_token_file_next_to_the_kubeconfig_and_the_context_namespace_are_used()
    {
        var directory = Path.Combine(cluster.Directory, "tokenfile");
        var kubeconfig = StandIn.WriteKubeconfig(Path.Combine(directory, "config"), ns: "kube-system");
        File.WriteAllText(Path.Combine(directory, "token"), KubernetesStandIn.Token + "\n");
        File.WriteAllText(kubeconfig, File.ReadAllText(kubeconfig).Replace($"token: {KubernetesStandIn.Token}", "tokenFile: token", StringComparison.Ordinal));
        var name = cluster.NewNamespace("tokenfile");

        await Converge.Run(new KubernetesModule(), Manifests.Resource("f", kubeconfig, Manifests.ConfigMap(name)));

        Assert.NotNull(StandIn.Get("v1", "configmaps", "kube-system", name));
    }

    [Fact]
    public void Without_any_credentials_the_error_lists_every_place_looked()
    {
        var resolver = new KubeConnectionResolver(n => n == "HOME" ? "/nonexistent-home" : null);

        var error = Assert.Throws<KubernetesException>(() => resolver.Resolve("", "", TargetRoot.HostRoot));

        Assert.Contains("KUBERNETES_SERVICE_HOST unset", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent-home/.kube/config does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_kubeconfig_is_reported_with_its_line_and_column()
    {
        var path = Path.Combine(cluster.Directory, "broken.yaml");
        File.WriteAllText(path, "apiVersion: v1\nclusters:\n  - name: [unclosed\n");

        var error = Assert.Throws<KubernetesException>(() => new KubeConnectionResolver(_ => null).Resolve(path, "", TargetRoot.HostRoot));

        Assert.StartsWith($"kubeconfig {path}:", error.Message, StringComparison.Ordinal);
        Assert.Matches(@":\d+:\d+: ", error.Message);
    }

    [Fact]
    public void A_context_that_does_not_exist_is_named()
    {
        var error = Assert.Throws<KubernetesException>(() => new KubeConnectionResolver(_ => null).Resolve(cluster.Kubeconfig, "prod", TargetRoot.HostRoot));

        Assert.Equal($"kubeconfig {cluster.Kubeconfig}: context 'prod' not found", error.Message);
    }
}
