namespace Colabo.Config.Compiler;

/// <summary>The outcome of validating a repository: every error, and the nodes compiled to find them.</summary>
public sealed record ValidationResult(IReadOnlyList<CompileError> Errors, IReadOnlyList<string> NodesCompiled)
{
    public bool Success => Errors.Count == 0;
}
