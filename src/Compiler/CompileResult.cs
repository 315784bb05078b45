using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Compiler;

/// <summary>The outcome of one compile: a catalog when there are no errors, every error otherwise.</summary>
public sealed class CompileResult
{
    public CompileResult(Catalog? catalog, IReadOnlyList<CompileError> errors, IReadOnlyCollection<string> secretsUsed,
        IReadOnlyCollection<string>? factsUsed = null)
    {
        FactsUsed = factsUsed ?? ["*"];
        Catalog = errors.Count == 0 ? catalog : null;
        Errors = errors;
        SecretsUsed = secretsUsed;
    }

    public Catalog? Catalog { get; }

    /// <summary>All errors found, sorted by file, line and column.</summary>
    public IReadOnlyList<CompileError> Errors { get; }

    /// <summary>Names of the secrets the catalog contains (its roles reference them).</summary>
    public IReadOnlyCollection<string> SecretsUsed { get; }

    /// <summary>Top-level fact names the compile read ("*": all); the catalog depends on no other fact.</summary>
    public IReadOnlyCollection<string> FactsUsed { get; }

    public bool Success => Catalog is not null;
}
