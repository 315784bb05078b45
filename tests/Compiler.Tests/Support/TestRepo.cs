using System.Text;
using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Compiler.Tests.Support;

/// <summary>In-memory role repositories for compiler tests (git-backed ones live in GitRepo).</summary>
internal static class TestRepo
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>Every node gets role r.</summary>
    public const string EveryNodeGetsR = """
        classes:
          - match: {name: "*"}
            roles: [r]
        """;

    public static RepositorySnapshot Of(params (string Path, string Text)[] files) =>
        new(Commit, files.Select(f => new RepositoryFile(f.Path, Encoding.UTF8.GetBytes(f.Text), 0x1A4)));

    /// <summary>A repo with roles/r.yaml and a classification giving r to every node.</summary>
    public static RepositorySnapshot WithRole(string roleYaml, params (string Path, string Text)[] more) =>
        Of([("nodes.yaml", EveryNodeGetsR), ("roles/r.yaml", roleYaml), .. more]);

    public static CompileResult Compile(RepositorySnapshot snapshot, string node = "n1", Facts? facts = null,
        IReadOnlyDictionary<string, string>? secrets = null) =>
        new CatalogCompiler().Compile(snapshot, node, facts ?? DebianFacts, secrets);

    public static Facts DebianFacts { get; } = Facts.Parse("""
        hostname: n1
        os: {family: Debian, name: debian, release: "12"}
        arch: amd64
        cpus: 2
        """);

    public static string ExamplesRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Colabo.Config.sln")))
            {
                dir = dir.Parent;
            }
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "examples", "roles");
        }
    }

    public static string RepoRoot => Path.GetFullPath(Path.Combine(ExamplesRoot, "..", ".."));
}
