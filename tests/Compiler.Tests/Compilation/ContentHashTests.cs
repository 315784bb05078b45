using Colabo.Config.Compiler.Tests.Support;

namespace Colabo.Config.Compiler.Tests.Compilation;

public class ContentHashTests
{
    private const string Role = """
        params: {port: 80}
        resources:
          - docker_container: app
            image: app:1
            env: {B: "2", A: "1", PORT: "{{params.port}}"}
            labels: {z: "1", a: "2"}
          - file: /etc/motd
            content: "hello {{facts.os.name}}"
          - user: app
            password_hash: {secret: pw}
        """;

    private static readonly Dictionary<string, string> Secrets = new() { ["pw"] = "hash-1" };

    private static string Hash(string role = Role, string node = "n1", Facts? facts = null, Dictionary<string, string>? secrets = null, string commit = TestRepo.Commit)
    {
        var snapshot = new Colabo.Config.Compiler.Repository.RepositorySnapshot(commit, TestRepo.WithRole(role).Files);
        var result = TestRepo.Compile(snapshot, node, facts, secrets ?? Secrets);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Catalog!.ContentHash;
    }

    [Fact]
    public void Equal_inputs_give_equal_hashes_across_compilers_and_snapshots()
    {
        Assert.Equal(Hash(), Hash());
    }

    [Fact]
    public void The_hash_is_independent_of_map_key_order_in_the_yaml()
    {
        var reordered = Role.Replace("{B: \"2\", A: \"1\", PORT: \"{{params.port}}\"}", "{PORT: \"{{params.port}}\", A: \"1\", B: \"2\"}", StringComparison.Ordinal);

        Assert.Equal(Hash(), Hash(reordered));
    }

    [Fact]
    public void The_hash_recomputed_from_the_catalog_matches_and_ignores_compiled_at()
    {
        var result = TestRepo.Compile(TestRepo.WithRole(Role), secrets: Secrets);
        var catalog = result.Catalog!;
        catalog.CompiledAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch);

        Assert.Equal(catalog.ContentHash, Colabo.Config.Compiler.Compilation.CatalogHasher.Compute(catalog));
    }

    [Fact]
    public void Any_changed_input_changes_the_hash()
    {
        var baseline = Hash();
        var variants = new Dictionary<string, string>
        {
            ["role text"] = Hash(Role.Replace("image: app:1", "image: app:2", StringComparison.Ordinal)),
            ["node name"] = Hash(node: "n2"),
            ["facts"] = Hash(facts: Facts.Parse("os: {family: Debian, name: ubuntu}")),
            ["secret value"] = Hash(secrets: new() { ["pw"] = "hash-2" }),
            ["commit"] = Hash(commit: "fedcba9876543210fedcba9876543210fedcba98"),
        };

        foreach (var (input, hash) in variants)
        {
            Assert.True(hash != baseline, $"changing the {input} did not change the hash");
        }
        Assert.Equal(variants.Count, variants.Values.Distinct().Count());
    }

    [Fact]
    public void The_cache_answers_equal_inputs_without_compiling_and_misses_on_a_secret_change()
    {
        var cache = new CompilationCache(new CatalogCompiler());
        var snapshot = TestRepo.WithRole(Role);
        var first = cache.GetOrCompile(snapshot, "n1", TestRepo.DebianFacts, Secrets);

        var second = cache.GetOrCompile(snapshot, "n1", Facts.Parse(TestRepo.DebianFacts.ToString()), Secrets);
        var unchanged = cache.IsUnchanged(snapshot.Commit, "n1", TestRepo.DebianFacts, first.Catalog!.ContentHash, Secrets);
        var rotated = cache.TryGet(snapshot.Commit, "n1", TestRepo.DebianFacts, new Dictionary<string, string> { ["pw"] = "rotated" });

        Assert.Same(first, second);
        Assert.True(unchanged);
        Assert.Null(rotated);
        Assert.Equal(1, cache.Misses);
    }
}

public class CompilationCacheTests
{
    private const string Role = """
        resources:
          - file: /etc/motd
            content: "{{facts.os.name}} on {{facts.arch}}"
          - package: cloud-init
            when: "facts.cloud.provider == 'openstack'"
        """;

    [Fact]
    public void A_fact_no_role_reads_does_not_force_a_recompile()
    {
        var cache = new CompilationCache(new CatalogCompiler());
        var snapshot = TestRepo.WithRole(Role);
        var first = cache.GetOrCompile(snapshot, "n1", Facts.Parse("os: {name: debian}\narch: amd64\nuptime_seconds: 100"));

        var later = cache.GetOrCompile(snapshot, "n1", Facts.Parse("os: {name: debian}\narch: amd64\nuptime_seconds: 7200"));

        Assert.Same(first, later);
        Assert.Equal(["arch", "cloud", "os"], first.FactsUsed);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void A_change_in_a_fact_a_role_reads_recompiles_even_one_that_was_absent()
    {
        var cache = new CompilationCache(new CatalogCompiler());
        var snapshot = TestRepo.WithRole(Role);
        var metal = cache.GetOrCompile(snapshot, "n1", Facts.Parse("os: {name: debian}\narch: amd64"));

        var cloud = cache.GetOrCompile(snapshot, "n1", Facts.Parse("os: {name: debian}\narch: amd64\ncloud: {provider: openstack}"));
        var arm = cache.GetOrCompile(snapshot, "n1", Facts.Parse("os: {name: debian}\narch: arm64"));

        Assert.Single(metal.Catalog!.Resources);
        Assert.Equal(2, cloud.Catalog!.Resources.Count);
        Assert.Contains("arm64", arm.Catalog!.Resources[0].File.Content, StringComparison.Ordinal);
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public void Beyond_its_full_results_the_cache_still_answers_unchanged_from_the_hash_alone()
    {
        var cache = new CompilationCache(new CatalogCompiler(), fullResults: 2);
        var snapshot = TestRepo.WithRole(Role);
        var facts = Facts.Parse("os: {name: debian}\narch: amd64");
        var oldest = cache.GetOrCompile(snapshot, "n1", facts);
        cache.GetOrCompile(snapshot, "n2", facts);
        cache.GetOrCompile(snapshot, "n3", facts);

        var unchanged = cache.IsUnchanged(snapshot.Commit, "n1", facts, oldest.Catalog!.ContentHash);
        var stale = cache.IsUnchanged(snapshot.Commit, "n1", facts, "sha256:other");
        var catalogKept = cache.TryGet(snapshot.Commit, "n1", facts);
        var known = cache.KnownHash(snapshot.Commit, "n1", facts);
        var neverCompiled = cache.KnownHash(snapshot.Commit, "n9", facts);
        var recompiled = cache.GetOrCompile(snapshot, "n1", facts);

        Assert.True(unchanged);
        Assert.False(stale);
        Assert.Null(catalogKept);
        // What the master serves by hash from its archive instead of compiling again.
        Assert.Equal(oldest.Catalog.ContentHash, known);
        Assert.Null(neverCompiled);
        Assert.Equal(oldest.Catalog.ContentHash, recompiled.Catalog!.ContentHash);
        Assert.Equal(4, cache.Misses);
        Assert.Same(recompiled, cache.TryGet(snapshot.Commit, "n1", facts));
    }

    [Fact]
    public void Retaining_the_served_commits_forgets_the_results_of_every_other_commit()
    {
        var cache = new CompilationCache(new CatalogCompiler());
        var old = TestRepo.WithRole(Role);
        var deployed = new Colabo.Config.Compiler.Repository.RepositorySnapshot("fedcba9876543210fedcba9876543210fedcba98", old.Files);
        var facts = Facts.Parse("os: {name: debian}\narch: amd64");
        var before = cache.GetOrCompile(old, "n1", facts);
        cache.GetOrCompile(old, "n2", facts);
        var after = cache.GetOrCompile(deployed, "n1", facts);

        var forgotten = cache.RetainCommits(new HashSet<string> { deployed.Commit });

        Assert.Equal(2, forgotten);
        Assert.Null(cache.KnownHash(old.Commit, "n1", facts));
        Assert.Null(cache.KnownHash(old.Commit, "n2", facts));
        Assert.Same(after, cache.TryGet(deployed.Commit, "n1", facts));
        // Asked again, the old commit compiles again (a plan at an old ref, a rollback).
        Assert.Equal(before.Catalog!.ContentHash, cache.GetOrCompile(old, "n1", facts).Catalog!.ContentHash);
        Assert.Equal(4, cache.Misses);
    }
}
