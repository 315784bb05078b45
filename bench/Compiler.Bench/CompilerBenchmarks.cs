using BenchmarkDotNet.Attributes;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Compiler.Bench;

[MemoryDiagnoser]
public class CompilerBenchmarks
{
    private readonly CatalogCompiler _compiler = new();
    private RepositorySnapshot _parsed = null!;
    private Facts _facts = null!;
    private CompilationCache _cache = null!;
    private string _hash = "";

    [GlobalSetup]
    public void Setup()
    {
        _parsed = SyntheticRepository.Create();
        _facts = Facts.From(SyntheticRepository.FactValues());
        var result = _compiler.Compile(_parsed, SyntheticRepository.Node, _facts);
        if (result.Catalog?.Resources.Count != 500)
        {
            throw new InvalidOperationException($"expected 500 resources: {string.Join("\n", result.Errors)} {result.Catalog?.Resources.Count}");
        }
        _cache = new CompilationCache(_compiler);
        _hash = _cache.GetOrCompile(_parsed, SyntheticRepository.Node, _facts).Catalog!.ContentHash;
    }

    /// <summary>What the master does per node after a deploy: roles already parsed for the commit.</summary>
    [Benchmark]
    public int Compile_500_resources_from_a_parsed_snapshot() =>
        _compiler.Compile(_parsed, SyntheticRepository.Node, _facts).Catalog!.Resources.Count;

    /// <summary>Fully cold: a fresh snapshot, so YAML parsing of every role is included.</summary>
    [Benchmark]
    public int Compile_500_resources_including_yaml_parse() =>
        _compiler.Compile(SyntheticRepository.Create(), SyntheticRepository.Node, _facts).Catalog!.Resources.Count;

    /// <summary>An agent check-in with the current hash: facts arrive fresh, are hashed, the cache answers.</summary>
    [Benchmark]
    public bool Cached_unchanged_answer_with_fresh_facts() =>
        _cache.IsUnchanged(_parsed.Commit, SyntheticRepository.Node, Facts.From(SyntheticRepository.FactValues()), _hash);

    /// <summary>The cache lookup alone, facts hash already known.</summary>
    [Benchmark]
    public bool Cached_unchanged_answer() =>
        _cache.IsUnchanged(_parsed.Commit, SyntheticRepository.Node, _facts, _hash);
}
