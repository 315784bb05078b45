using Colabo.Config.Compiler.Tests.Support;

namespace Colabo.Config.Compiler.Tests.Compilation;

public class TemplateAndConditionTests
{
    private static Contracts.V1.Catalog Ok(CompileResult result)
    {
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Catalog!;
    }

    [Fact]
    public void A_template_sees_params_facts_and_the_node_name_and_can_loop()
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole("""
            params:
              upstreams: [10.0.0.1, 10.0.0.2]
            resources:
              - file: /etc/app.conf
                template: templates/app.conf.hbs
            """, ("templates/app.conf.hbs", "node={{node}} os={{facts.os.name}}\n{{#each params.upstreams}}server {{this}}\n{{/each}}"))));

        Assert.Equal("node=n1 os=debian\nserver 10.0.0.1\nserver 10.0.0.2\n", catalog.Resources.Single().File.Content);
        Assert.Equal("templates/app.conf.hbs", catalog.Resources.Single().File.Origin);
    }

    [Fact]
    public void Template_output_is_not_html_escaped()
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole("""
            params: {motd: "<b>ops & dev</b>"}
            resources:
              - file: /etc/motd
                content: "{{params.motd}}"
            """)));

        Assert.Equal("<b>ops & dev</b>", catalog.Resources.Single().File.Content);
    }

    [Fact]
    public void For_each_expands_one_resource_per_item()
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole("""
            params:
              users:
                - {name: ann, uid: 3001}
                - {name: ben, uid: 3002}
            resources:
              - user: "{{item.name}}"
                for_each: "{{params.users}}"
                uid: "{{item.uid}}"
            """)));

        Assert.Equal(["user:ann", "user:ben"], catalog.Resources.Select(r => r.Id));
        Assert.Equal(3002u, catalog.Resources[1].User.Uid);
    }

    [Theory]
    [InlineData("facts.os.family == 'Debian'", true)]
    [InlineData("facts.os.family != 'Debian'", false)]
    [InlineData("facts.cpus >= 2 and facts.arch in ['amd64', 'arm64']", true)]
    [InlineData("not (facts.os.release =~ '^1[0-9]$')", false)]
    [InlineData("facts.cloud.provider == 'aws' or node == 'n1'", true)]
    [InlineData("params.enabled", false)]
    public void When_keeps_or_drops_a_resource_by_facts_and_params(string condition, bool kept)
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole($$"""
            params: {enabled: false}
            resources:
              - package: nginx
                when: "{{condition}}"
            """)));

        Assert.Equal(kept, catalog.Resources.Count == 1);
    }

    [Fact]
    public void A_notify_of_a_resource_left_out_by_when_is_dropped_while_an_undeclared_target_stays_an_error()
    {
        var role = """
            params: {systemd: false}
            resources:
              - file: /etc/nginx/nginx.conf
                content: "worker_processes 1;"
                notify: [service:nginx]
              - service: nginx
                when: params.systemd
            """;

        var kept = Ok(TestRepo.Compile(TestRepo.WithRole(role)));
        var broken = TestRepo.Compile(TestRepo.WithRole(role.Replace("[service:nginx]", "[service:apache2]", StringComparison.Ordinal)));

        Assert.Empty(kept.Resources.Single().Notify);
        Assert.Contains(broken.Errors, e => e.Code == "unknown-reference" && e.Message.Contains("service:apache2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_is_resolved_from_the_store_and_listed_as_secret()
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - user: app
                password_hash: {secret: app_hash}
            """), secrets: new Dictionary<string, string> { ["app_hash"] = "$6$salt$hash", ["unused"] = "x" }));

        var user = catalog.Resources.Single();
        Assert.Equal("$6$salt$hash", user.User.PasswordHash);
        Assert.Equal(["password_hash"], user.SecretProperties);
    }

    [Fact]
    public void A_plan_never_shows_a_secret_value()
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - docker_container: app
                image: app:1
                env:
                  TOKEN: {secret: app_token}
            """), secrets: new Dictionary<string, string> { ["app_token"] = "s3cr3t-value" }));

        var properties = Display.CatalogProperties.Flatten(catalog.Resources.Single());

        Assert.DoesNotContain(properties, p => p.Value.Contains("s3cr3t-value", StringComparison.Ordinal));
        Assert.Contains(properties, p => p.Name == "env.TOKEN" && p.Secret && p.Value == "<redacted>");
    }

    [Fact]
    public void Implicit_edges_order_users_groups_directories_and_files()
    {
        var catalog = Ok(TestRepo.Compile(TestRepo.WithRole("""
            resources:
              - file: /srv/app/conf/app.yaml
                content: x
                owner: app
                group: app
              - directory: /srv/app
              - user: app
                group: app
              - group: app
            """)));

        var file = catalog.Resources.Single(r => r.Kind == "file");
        Assert.Equal(["directory:/srv/app", "group:app", "user:app"], file.ImplicitRequires);
        Assert.Equal(["group:app"], catalog.Resources.Single(r => r.Kind == "user").ImplicitRequires);
    }
}

public class TemplateFeatureTests
{
    [Theory]
    [InlineData("{{#if params.flag}}yes{{else}}no{{/if}}", "no")]
    [InlineData("{{#with facts.os}}{{name}} {{release}}{{/with}}", "debian 12")]
    [InlineData("{{facts.ips.[0]}}", "10.0.0.5")]
    [InlineData("{{#each facts.ips}}{{@index}}={{this}};{{/each}}", "0=10.0.0.5;1=10.0.0.6;")]
    [InlineData("{{#unless params.flag}}off{{/unless}}", "off")]
    public void Handlebars_blocks_work_over_facts_and_params(string template, string expected)
    {
        var snapshot = TestRepo.WithRole("""
            params: {flag: false}
            resources:
              - file: /etc/t
                template: templates/t.hbs
            """, ("templates/t.hbs", template));
        var facts = Facts.Parse("os: {name: debian, release: '12'}\nips: [10.0.0.5, 10.0.0.6]");

        var result = TestRepo.Compile(snapshot, facts: facts);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(expected, result.Catalog!.Resources.Single().File.Content);
    }

    [Fact]
    public void A_misspelled_variable_inside_an_if_block_is_still_an_error()
    {
        var snapshot = TestRepo.WithRole("""
            params: {tls: true}
            resources:
              - file: /etc/t
                template: templates/t.hbs
            """, ("templates/t.hbs", "server {\n{{#if params.tsl}}\n  listen 443 ssl;\n{{/if}}\n}\n"));

        var error = ErrorAssert.Single(TestRepo.Compile(snapshot), "template-undefined", "templates/t.hbs", 2, 1);

        Assert.Contains("params.tsl", error.Message, StringComparison.Ordinal);
    }
}
