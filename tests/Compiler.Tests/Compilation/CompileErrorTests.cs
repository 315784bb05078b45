using Colabo.Config.Compiler.Tests.Support;

namespace Colabo.Config.Compiler.Tests.Compilation;

/// <summary>One test per error class, each asserting the exact file:line:column.</summary>
public class CompileErrorTests
{
    [Fact]
    public void Invalid_yaml_is_reported_at_the_offending_position()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - package: nginx
               ensure: [unclosed
            """));

        var error = ErrorAssert.Single(result, "yaml-syntax", "roles/r.yaml", 3, 4);
        Assert.Contains("invalid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_key_is_reported_with_a_suggestion()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /etc/motd
                content: hi
                ownr: root
            """));

        var error = ErrorAssert.Single(result, "unknown-key", "roles/r.yaml", 4, 5);
        Assert.Contains("did you mean 'owner'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_resource_kind_is_reported_with_a_suggestion()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - pakage: nginx
            """));

        var error = ErrorAssert.Single(result, "unknown-kind", "roles/r.yaml", 2, 5);
        Assert.Contains("did you mean 'package'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_param_value_of_the_wrong_type_is_reported_where_it_is_set()
    {
        var snapshot = TestRepo.Of(
            ("nodes.yaml", """
                nodes:
                  n1:
                    roles: [r]
                    params:
                      r: {port: eighty}
                """),
            ("roles/r.yaml", """
                params:
                  port: {type: int, default: 80}
                """));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot), "wrong-type", "nodes.yaml", 5, 17);
        Assert.Contains("must be an int", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_of_the_wrong_type_is_reported_at_the_default()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            params:
              enabled:
                type: bool
                default: sometimes
            """));

        ErrorAssert.Single(result, "wrong-type", "roles/r.yaml", 4, 14);
    }

    [Fact]
    public void A_required_param_without_a_value_names_the_node_and_where_to_set_it()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            params:
              server_name: {type: string}
            """));

        var error = ErrorAssert.Single(result, "missing-param", "roles/r.yaml", 2, 3);
        Assert.Contains("node 'n1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("nodes.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_param_the_role_does_not_declare_is_reported_in_the_classification()
    {
        var snapshot = TestRepo.Of(
            ("nodes.yaml", """
                classes:
                  - match: {name: "*"}
                    roles: [r]
                    params:
                      r:
                        prot: 80
                """),
            ("roles/r.yaml", "params: {port: 80}"));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot), "unknown-param", "nodes.yaml", 6, 15);
        Assert.Contains("did you mean 'port'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_role_is_reported_where_it_is_named()
    {
        var snapshot = TestRepo.Of(("nodes.yaml", """
            classes:
              - match: {name: "*"}
                roles: [base, wbe]
            """), ("roles/base.yaml", "role: base"), ("roles/web.yaml", "role: web"));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot), "unknown-role", "nodes.yaml", 3, 19);
        Assert.Contains("did you mean 'web'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_include_cycle_is_reported_naming_every_role_in_it()
    {
        var snapshot = TestRepo.Of(
            ("nodes.yaml", TestRepo.EveryNodeGetsR.Replace("[r]", "[a]", StringComparison.Ordinal)),
            ("roles/a.yaml", "include: [b]"),
            ("roles/b.yaml", "include: [c]"),
            ("roles/c.yaml", "description: closes the loop\ninclude: [a]"));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot), "include-cycle", "roles/c.yaml", 2, 11);
        Assert.Contains("a -> b -> c -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_variable_in_a_template_file_names_the_template_and_line()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            params:
              port: 80
            resources:
              - file: /etc/app.conf
                template: templates/app.conf.hbs
            """, ("templates/app.conf.hbs", "# app\nport = {{params.port}}\nname = {{params.nmae}}\n")));

        var error = ErrorAssert.Single(result, "template-undefined", "templates/app.conf.hbs", 3, 8);
        Assert.Contains("params.nmae", error.Message, StringComparison.Ordinal);
        Assert.Contains("roles/r.yaml:4:5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_variable_in_an_inline_value_is_reported_at_the_value()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /etc/motd
                content: "welcome to {{facts.hostnmae}}"
            """));

        var error = ErrorAssert.Single(result, "template-undefined", "roles/r.yaml", 3, 14);
        Assert.Contains("hostnmae", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_missing_from_the_store_is_reported_at_the_reference()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - user: app
                password_hash: {secret: app_password}
            """), secrets: new Dictionary<string, string>());

        var error = ErrorAssert.Single(result, "unknown-secret", "roles/r.yaml", 3, 29);
        Assert.Contains("app_password", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("etc/motd")]
    [InlineData("/etc/../etc/motd")]
    [InlineData("/etc//motd")]
    [InlineData("/etc/motd/")]
    public void A_path_that_is_not_absolute_and_normalized_is_an_error(string path)
    {
        var result = TestRepo.Compile(TestRepo.WithRole($"""
            resources:
              - file: "{path}"
                content: hi
            """));

        ErrorAssert.Single(result, "bad-path", "roles/r.yaml", 2, 11);
    }

    [Fact]
    public void A_duplicate_resource_names_both_definitions()
    {
        var snapshot = TestRepo.Of(
            ("nodes.yaml", TestRepo.EveryNodeGetsR.Replace("[r]", "[a, b]", StringComparison.Ordinal)),
            ("roles/a.yaml", "resources:\n  - package: nginx\n"),
            ("roles/b.yaml", "resources:\n  - package: curl\n  - package: nginx\n    version: '1.22'\n"));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot), "duplicate-resource", "roles/b.yaml", 3, 5);
        Assert.Contains("roles/a.yaml:2:5", error.Message, StringComparison.Ordinal);
        Assert.Contains("package:nginx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_a_resource_not_in_the_catalog_is_reported_at_the_reference()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - package: nginx
              - service: nginx
                requires:
                  - package:ngnix
            """));

        var error = ErrorAssert.Single(result, "unknown-reference", "roles/r.yaml", 5, 9);
        Assert.Contains("did you mean 'package:nginx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dependency_cycle_is_reported_naming_the_cycle()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - exec: a
                command: "true"
                requires: [exec:c]
              - exec: b
                command: "true"
                requires: [exec:a]
              - exec: c
                command: "true"
                requires: [exec:b]
            """));

        var error = ErrorAssert.Single(result, "dependency-cycle", "roles/r.yaml", 2, 5);
        Assert.Contains("exec:a -> exec:c -> exec:b -> exec:a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_condition_is_reported_at_the_offending_character()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - package: nginx
                when: "facts.os.family == 'Debian' and and"
            """));

        ErrorAssert.Single(result, "bad-condition", "roles/r.yaml", 3, 44);
    }

    [Fact]
    public void A_condition_on_an_undeclared_param_is_an_error()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - package: nginx
                when: params.install_nginx
            """));

        var error = ErrorAssert.Single(result, "bad-condition", "roles/r.yaml", 3, 11);
        Assert.Contains("not a parameter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_no_entry_matches_is_an_error()
    {
        var snapshot = TestRepo.Of(("nodes.yaml", "classes:\n  - match: {name: \"web-*\"}\n    roles: [r]\n"), ("roles/r.yaml", "role: r"));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot, "db-01"), "unclassified-node", "nodes.yaml", 1, 1);
        Assert.Contains("db-01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_whose_name_differs_from_its_file_is_an_error()
    {
        var error = ErrorAssert.Single(TestRepo.Compile(TestRepo.WithRole("role: web\n")), "role-name-mismatch", "roles/r.yaml", 1, 7);
        Assert.Contains("roles/web.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_file_missing_from_the_repository_is_an_error()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /etc/issue
                source: files/issue
            """));

        ErrorAssert.Single(result, "missing-file", "roles/r.yaml", 3, 13);
    }

    [Fact]
    public void A_mode_that_is_not_octal_is_an_error()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /etc/motd
                content: hi
                mode: "0899"
            """));

        ErrorAssert.Single(result, "bad-mode", "roles/r.yaml", 4, 11);
    }

    [Fact]
    public void Content_and_template_together_are_an_error()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /etc/motd
                content: hi
                template: templates/motd.hbs
            """, ("templates/motd.hbs", "hi")));

        ErrorAssert.Single(result, "conflicting-keys", "roles/r.yaml", 4, 15);
    }

    [Fact]
    public void An_ensure_value_the_kind_does_not_know_is_an_error()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - service: nginx
                ensure: latest
            """));

        var error = ErrorAssert.Single(result, "bad-ensure", "roles/r.yaml", 3, 13);
        Assert.Contains("running or stopped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restart_policy_docker_does_not_know_is_an_error()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - docker_container: web
                image: nginx:1
                restart: sometimes
            """));

        ErrorAssert.Single(result, "bad-value", "roles/r.yaml", 4, 14);
    }

    [Fact]
    public void Every_error_of_every_file_is_reported_at_once()
    {
        var snapshot = TestRepo.Of(
            ("nodes.yaml", TestRepo.EveryNodeGetsR.Replace("[r]", "[a, b]", StringComparison.Ordinal)),
            ("roles/a.yaml", "resources:\n  - file: relative/path\n    content: x\n  - package: nginx\n    colour: blue\n"),
            ("roles/b.yaml", "resources:\n  - service: nginx\n    requires: [package:apache2]\n  - user: bob\n    uid: minus-one\n"));

        var result = TestRepo.Compile(snapshot);

        Assert.Equal(
            ["roles/a.yaml:2:11 bad-path", "roles/a.yaml:5:5 unknown-key", "roles/b.yaml:3:16 unknown-reference", "roles/b.yaml:5:10 wrong-type"],
            result.Errors.Select(e => $"{e.File}:{e.Line}:{e.Column} {e.Code}"));
    }
}

public class HostileInputTests
{
    [Fact]
    public void A_yaml_alias_bomb_is_refused_instead_of_expanded()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 10; i++)
        {
            lines.Add($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]");
        }
        var snapshot = TestRepo.Of(("nodes.yaml", TestRepo.EveryNodeGetsR), ("roles/r.yaml", "params:\n  bomb:\n    type: map\n    default:\n" + string.Join("\n", lines.Select(l => "      " + l)) + "\n"));

        var result = TestRepo.Compile(snapshot);

        Assert.Contains(result.Errors, e => e.Code == "yaml-too-large" && e.File == "roles/r.yaml");
    }

    [Fact]
    public void A_repository_path_leaving_the_repository_is_refused()
    {
        var result = TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /etc/passwd-copy
                source: ../../etc/passwd
            """));

        ErrorAssert.Single(result, "bad-path", "roles/r.yaml", 3, 13);
    }
}
