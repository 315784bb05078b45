using Colabo.Config.Compiler.Tests.Support;

namespace Colabo.Config.Compiler.Tests.Compilation;

public class PrecedenceTests
{
    private const string Role = """
        params:
          port: 80
        resources:
          - file: /etc/port
            content: "{{params.port}}"
        """;

    private const string Nodes = """
        classes:
          - name: all
            match: {name: "*"}
            roles: [r]
          - name: web
            match: {name: "web-*"}
            params: {r: {port: 8080}}
          - name: debian
            match: {facts: {os.family: Debian}}
            params: {r: {port: 8081}}
        nodes:
          web-01:
            params: {r: {port: 9000}}
        """;

    private static string Port(string node, string osFamily)
    {
        var snapshot = TestRepo.Of(("nodes.yaml", Nodes), ("roles/r.yaml", Role));
        var facts = Facts.Parse($"os: {{family: {osFamily}}}");
        var result = TestRepo.Compile(snapshot, node, facts);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Catalog!.Resources.Single().File.Content;
    }

    [Fact]
    public void A_role_default_applies_when_nothing_overrides_it() => Assert.Equal("80", Port("db-01", "RedHat"));

    [Fact]
    public void A_class_value_overrides_the_role_default() => Assert.Equal("8080", Port("web-02", "RedHat"));

    [Fact]
    public void Among_matching_classes_the_later_one_wins() => Assert.Equal("8081", Port("web-02", "Debian"));

    [Fact]
    public void The_node_entry_overrides_every_class() => Assert.Equal("9000", Port("web-01", "Debian"));

    [Fact]
    public void Roles_of_every_matching_entry_merge_in_order_without_duplicates()
    {
        var snapshot = TestRepo.Of(
            ("nodes.yaml", """
                classes:
                  - match: {name: "*"}
                    roles: [a, b]
                  - match: {facts: {os.family: Debian}}
                    roles: [b, c]
                nodes:
                  n1:
                    roles: [a, d]
                """),
            ("roles/a.yaml", "resources: [{package: a}]"),
            ("roles/b.yaml", "resources: [{package: b}]"),
            ("roles/c.yaml", "include: [b]\nresources: [{package: c}]"),
            ("roles/d.yaml", "resources: [{package: d}]"));

        var result = TestRepo.Compile(snapshot);

        Assert.Equal(["a", "b", "c", "d"], result.Catalog!.Roles);
    }
}

public class EnrollmentRoleTests
{
    [Fact]
    public void Roles_from_enrollment_are_applied_after_the_classified_ones()
    {
        var snapshot = TestRepo.Of(("nodes.yaml", TestRepo.EveryNodeGetsR), ("roles/r.yaml", "resources: [{package: r}]"), ("roles/extra.yaml", "resources: [{package: extra}]"));

        var result = new CatalogCompiler().Compile(snapshot, "n1", TestRepo.DebianFacts, extraRoles: ["extra"]);

        Assert.Equal(["r", "extra"], result.Catalog!.Roles);
    }

    [Fact]
    public void An_enrollment_role_missing_from_the_commit_is_an_error()
    {
        var snapshot = TestRepo.Of(("nodes.yaml", TestRepo.EveryNodeGetsR), ("roles/r.yaml", "role: r"));

        var result = new CatalogCompiler().Compile(snapshot, "n1", TestRepo.DebianFacts, extraRoles: ["gone"]);

        Assert.Contains(result.Errors, e => e.Code == "unknown-role" && e.Message.Contains("'gone'", StringComparison.Ordinal));
    }
}
