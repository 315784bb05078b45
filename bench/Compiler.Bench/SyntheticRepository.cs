using System.Text;
using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Compiler.Bench;

/// <summary>A generated role repository whose catalog has exactly 500 resources of mixed kinds.</summary>
internal static class SyntheticRepository
{
    public const string Node = "web-042.example.com";

    public static RepositorySnapshot Create(string commit = "0123456789abcdef0123456789abcdef01234567")
    {
        var files = new List<RepositoryFile>
        {
            File("nodes.yaml", """
                classes:
                  - match: {name: "web-*"}
                    roles: [r0, r1, r2, r3, r4]
                nodes:
                  web-042.example.com:
                    params:
                      r0: {port: 8042}
                """),
            File("templates/service.conf.hbs", """
                # {{node}} ({{facts.os.name}} {{facts.os.release}})
                listen {{params.port}}
                {{#each params.upstreams}}upstream {{this}}
                {{/each}}
                """),
        };
        for (var r = 0; r < 5; r++)
        {
            var yaml = new StringBuilder();
            yaml.AppendLine($"role: r{r}");
            yaml.AppendLine("params:");
            yaml.AppendLine("  port: 80");
            yaml.AppendLine("  upstreams: [10.0.0.1, 10.0.0.2, 10.0.0.3]");
            yaml.AppendLine("resources:");
            for (var i = 0; i < 30; i++)
            {
                yaml.AppendLine($"  - package: pkg-{r}-{i}");
            }
            for (var i = 0; i < 10; i++)
            {
                yaml.AppendLine($"  - group: grp-{r}-{i}");
                yaml.AppendLine($"  - user: usr-{r}-{i}");
                yaml.AppendLine($"    uid: {3000 + r * 100 + i}");
                yaml.AppendLine($"    group: grp-{r}-{i}");
                yaml.AppendLine($"    home: /home/usr-{r}-{i}");
                yaml.AppendLine("    shell: /bin/bash");
                yaml.AppendLine($"  - ssh_authorized_key: key-{r}-{i}");
                yaml.AppendLine($"    user: usr-{r}-{i}");
                yaml.AppendLine("    key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHvGzbv/MXcwlBbSUbUOu1XBpnjkCJKTtObq8n2aYdP+ someone@laptop\"");
            }
            yaml.AppendLine($"  - directory: /srv/r{r}");
            yaml.AppendLine("    mode: \"0755\"");
            for (var i = 0; i < 19; i++)
            {
                yaml.AppendLine($"  - file: /srv/r{r}/f{i}.conf");
                if (i % 4 == 0)
                {
                    yaml.AppendLine("    template: templates/service.conf.hbs");
                }
                else
                {
                    yaml.AppendLine($"    content: \"port={{{{params.port}}}} node={{{{node}}}} i={i}\\n\"");
                }
                yaml.AppendLine($"    owner: usr-{r}-{i % 10}");
                yaml.AppendLine("    mode: \"0644\"");
                yaml.AppendLine($"    notify: [service:svc-{r}-{i % 10}]");
            }
            for (var i = 0; i < 10; i++)
            {
                yaml.AppendLine($"  - service: svc-{r}-{i}");
                yaml.AppendLine("    ensure: running");
                yaml.AppendLine("    enabled: true");
                yaml.AppendLine($"    requires: [package:pkg-{r}-{i}]");
                yaml.AppendLine($"  - line: line-{r}-{i}");
                yaml.AppendLine($"    path: /etc/conf-{r}.d/l{i}");
                yaml.AppendLine($"    text: \"option{i} = {{{{params.port}}}}\"");
                yaml.AppendLine($"    match: \"^option{i}\\\\b\"");
                yaml.AppendLine("    when: \"facts.os.family == 'Debian'\"");
            }
            files.Add(File($"roles/r{r}.yaml", yaml.ToString()));
        }
        return new RepositorySnapshot(commit, files);
    }

    public static Dictionary<string, object?> FactValues() => new()
    {
        ["hostname"] = "web-042",
        ["fqdn"] = Node,
        ["os"] = new Dictionary<string, object?> { ["family"] = "Debian", ["name"] = "debian", ["release"] = "12", ["codename"] = "bookworm" },
        ["arch"] = "amd64",
        ["cpus"] = 2,
        ["memory_mb"] = 4096,
        ["ips"] = new List<object?> { "10.0.4.42", "fd00::42" },
        ["cloud"] = new Dictionary<string, object?> { ["provider"] = "openstack", ["region"] = "eu-1", ["instance_id"] = "6b1c9a7e-3f0d-4e55-9b2a-1c9f0e2d4a77" },
    };

    private static RepositoryFile File(string path, string text) => new(path, Encoding.UTF8.GetBytes(text), 0x1A4);
}
