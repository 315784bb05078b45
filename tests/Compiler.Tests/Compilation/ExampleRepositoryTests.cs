using Colabo.Config.Compiler.Repository;
using Colabo.Config.Compiler.Tests.Support;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Compiler.Tests.Compilation;

public class ExampleRepositoryTests
{
    private static readonly RepositorySnapshot Examples = RepositorySnapshot.FromDirectory(TestRepo.ExamplesRoot);

    private static Catalog CompileExample(string node)
    {
        var facts = Facts.Parse(File.ReadAllText(Path.Combine(TestRepo.ExamplesRoot, "facts", node + ".yaml")));
        var result = new CatalogCompiler().Compile(Examples, node, facts);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Catalog!;
    }

    [Fact]
    public void The_example_repository_validates_and_compiles_for_every_example_node()
    {
        var result = RepositoryValidator.Validate(Examples);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(["app-01.example.com", "k8s-admin-01.example.com", "web-01.example.com", "web-02.example.com"], result.NodesCompiled.Order());
    }

    [Theory]
    [InlineData("web-01.example.com", new[] { "base", "web" })]
    [InlineData("web-02.example.com", new[] { "base", "web" })]
    [InlineData("app-01.example.com", new[] { "base", "app" })]
    [InlineData("k8s-admin-01.example.com", new[] { "base", "k8s-app" })]
    public void Each_example_node_gets_its_roles_with_included_roles_first(string node, string[] roles)
    {
        var catalog = CompileExample(node);

        Assert.Equal(roles, catalog.Roles);
        Assert.Equal(node, catalog.Node);
        Assert.StartsWith("sha256:", catalog.ContentHash, StringComparison.Ordinal);
    }

    [Fact]
    public void The_base_role_gives_admins_with_keys_motd_and_sshd_hardening()
    {
        var catalog = CompileExample("web-02.example.com");
        var byId = catalog.Resources.ToDictionary(r => r.Id);

        Assert.Equal(2001u, byId["user:alice"].User.Uid);
        Assert.Equal("ssh-ed25519", byId["ssh_authorized_key:alice-main"].SshAuthorizedKey.Type);
        Assert.Contains("user:alice", byId["ssh_authorized_key:alice-main"].ImplicitRequires);
        Assert.Contains("web-02.example.com - managed by Colabo.Config", byId["file:/etc/motd"].File.Content, StringComparison.Ordinal);
        Assert.Equal("PermitRootLogin no", byId["line:sshd-permit-root-login"].Line.Line);
        Assert.Equal(["service:ssh"], byId["line:sshd-permit-root-login"].Notify);
    }

    [Fact]
    public void The_web_role_restarts_nginx_when_its_rendered_config_changes()
    {
        var catalog = CompileExample("web-02.example.com");
        var config = catalog.Resources.Single(r => r.Id == "file:/etc/nginx/sites-available/default");
        var service = catalog.Resources.Single(r => r.Id == "service:nginx");

        Assert.Contains("listen 8080 default_server;", config.File.Content, StringComparison.Ordinal);
        Assert.Contains("server_name web-02.example.com;", config.File.Content, StringComparison.Ordinal);
        Assert.Equal(["service:nginx"], config.Notify);
        Assert.Equal(Ensure.Running, service.Ensure);
        Assert.Contains("package:nginx", service.ImplicitRequires);
    }

    [Fact]
    public void The_app_role_packs_the_docker_build_context_and_marks_the_password_secret()
    {
        var catalog = CompileExample("app-01.example.com");
        var image = catalog.Resources.Single(r => r.Kind == "docker_image").DockerImage;
        var container = catalog.Resources.Single(r => r.Kind == "docker_container");

        Assert.Equal(["Dockerfile", "serve.sh"], image.Build.Context.Select(f => f.Path).Order());
        Assert.Equal(0x1EDu, image.Build.Context.Single(f => f.Path == "serve.sh").Mode);
        Assert.Equal("1.0", image.Build.BuildArgs["APP_VERSION"]);
        Assert.Equal(["env.APP_DB_PASSWORD"], container.SecretProperties);
        Assert.Equal("<secret:demo_app_db_password>", container.DockerContainer.Env["APP_DB_PASSWORD"]);
        Assert.Contains("docker_image:colabo/demo-app:1.0", container.ImplicitRequires);
        Assert.Contains("docker_network:demo-net", container.ImplicitRequires);
    }

    [Fact]
    public void The_k8s_app_role_turns_manifests_into_json_objects()
    {
        var catalog = CompileExample("k8s-admin-01.example.com");
        var app = catalog.Resources.Single(r => r.Id == "kubernetes:demo-app").Kubernetes;
        var service = catalog.Resources.Single(r => r.Id == "kubernetes:demo-app-service").Kubernetes;
        var ns = catalog.Resources.Single(r => r.Id == "kubernetes:demo-namespace").Kubernetes;

        using var deployment = System.Text.Json.JsonDocument.Parse(app.Objects.Single());
        Assert.Equal("Deployment", deployment.RootElement.GetProperty("kind").GetString());
        Assert.Equal(3, deployment.RootElement.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Contains("\"kind\":\"Service\"", service.Objects.Single(), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"demo\"", ns.Objects.Single(), StringComparison.Ordinal);
        Assert.Equal("demo", app.Namespace);
    }
}
