using Colabo.Config.Compiler.Tests.Support;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Compiler.Tests.Compilation;

public class ResourceKindTests
{
    private static Catalog Ok(string role, params (string Path, string Text)[] more)
    {
        var result = TestRepo.Compile(TestRepo.WithRole(role, more));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Catalog!;
    }

    [Fact]
    public void Audit_on_a_role_forces_noop_on_every_resource_of_it()
    {
        var catalog = Ok("""
            audit: true
            resources:
              - package: nginx
              - service: nginx
            """);

        Assert.All(catalog.Resources, r => Assert.True(r.Audit));
    }

    [Fact]
    public void A_purged_directory_lists_the_entries_the_catalog_manages()
    {
        var catalog = Ok("""
            resources:
              - directory: /etc/app.d
                purge: true
              - file: /etc/app.d/b.conf
                content: b
              - file: /etc/app.d/a.conf
                content: a
              - directory: /etc/app.d/sub
              - file: /etc/app.d/sub/deep.conf
                content: c
            """);

        Assert.Equal(["a.conf", "b.conf", "sub"], catalog.Resources[0].Directory.ManagedEntries);
    }

    [Fact]
    public void Exclusive_keys_list_every_key_declared_for_that_user()
    {
        var catalog = Ok("""
            resources:
              - ssh_authorized_key: alice-laptop
                user: alice
                key: "ssh-ed25519 AAAAkey1 alice@laptop"
                exclusive: true
              - ssh_authorized_key: alice-phone
                user: alice
                type: ssh-rsa
                key: AAAAkey2
            """);

        var laptop = catalog.Resources[0].SshAuthorizedKey;
        Assert.Equal(["AAAAkey1", "AAAAkey2"], laptop.ManagedKeys);
        Assert.Equal(("ssh-ed25519", "alice@laptop"), (laptop.Type, laptop.Comment));
        Assert.Equal("alice-phone", catalog.Resources[1].SshAuthorizedKey.Comment);
    }

    [Fact]
    public void Container_ports_mounts_memory_and_restart_are_parsed_from_docker_run_notation()
    {
        var catalog = Ok("""
            resources:
              - docker_container: web
                image: nginx:1
                ports: ["8080:80", "127.0.0.1:9090:90", "53/udp"]
                mounts: ["/srv/www:/usr/share/nginx/html:ro", "cache:/var/cache/nginx"]
                memory: 2g
                restart: always
                command: [nginx, -g, "daemon off;"]
            """);

        var c = catalog.Resources.Single().DockerContainer;
        Assert.Equal("8080->80/tcp 127.0.0.1:9090->90/tcp 0->53/udp",
            string.Join(" ", c.Ports.Select(p => $"{(p.HostIp.Length > 0 ? p.HostIp + ":" : "")}{p.HostPort}->{p.ContainerPort}/{p.Protocol}")));
        Assert.Equal(("bind", true), (c.Mounts[0].Type, c.Mounts[0].ReadOnly));
        Assert.Equal(("volume", "cache"), (c.Mounts[1].Type, c.Mounts[1].Source));
        Assert.Equal(2L << 30, c.MemoryBytes);
        Assert.Equal("always", c.RestartPolicy);
        Assert.Equal(["nginx", "-g", "daemon off;"], c.Command);
    }

    [Fact]
    public void An_exec_defaults_its_command_to_its_name_and_keeps_guards()
    {
        var catalog = Ok("""
            resources:
              - exec: /usr/sbin/update-ca-certificates
                creates: /etc/ssl/certs/ca-certificates.crt
                environment: {LANG: C}
                returns: [0, 2]
                timeout: 120
            """);

        var resource = catalog.Resources.Single();
        Assert.Equal("/usr/sbin/update-ca-certificates", resource.Exec.Command);
        Assert.Equal([0, 2], resource.Exec.Returns);
        Assert.Equal("C", resource.Exec.Environment["LANG"]);
        Assert.Equal(120u, resource.TimeoutSeconds);
    }

    [Fact]
    public void A_binary_source_file_is_carried_as_bytes()
    {
        var snapshot = new Colabo.Config.Compiler.Repository.RepositorySnapshot(TestRepo.Commit,
        [
            new Colabo.Config.Compiler.Repository.RepositoryFile("nodes.yaml", System.Text.Encoding.UTF8.GetBytes(TestRepo.EveryNodeGetsR), 0x1A4),
            new Colabo.Config.Compiler.Repository.RepositoryFile("roles/r.yaml", System.Text.Encoding.UTF8.GetBytes("resources:\n  - file: /usr/share/app/logo.png\n    source: files/logo.png\n"), 0x1A4),
            new Colabo.Config.Compiler.Repository.RepositoryFile("files/logo.png", [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF], 0x1A4),
        ]);

        var file = TestRepo.Compile(snapshot).Catalog!.Resources.Single().File;

        Assert.Equal(Google.Protobuf.ByteString.CopyFrom(0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF), file.BinaryContent);
        Assert.Equal("files/logo.png", file.Origin);
    }

    [Fact]
    public void Inline_kubernetes_yaml_in_a_string_becomes_json_objects()
    {
        var catalog = Ok("""
            params: {replicas: 2}
            resources:
              - kubernetes: config
                namespace: demo
                inline: |
                  apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: app}
                  data: {replicas: "2", enabled: "true"}
                  ---
                  apiVersion: v1
                  kind: Secret
                  metadata: {name: app}
            """);

        var objects = catalog.Resources.Single().Kubernetes.Objects;
        Assert.Equal(2, objects.Count);
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"replicas":"2","enabled":"true"}}""", objects[0]);
    }
}
