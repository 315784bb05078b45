namespace Colabo.Config.Compiler;

/// <summary>One problem found in a role repository, located at file:line:column of the repo.</summary>
/// <param name="File">Path relative to the repository root, e.g. "roles/web.yaml".</param>
/// <param name="Line">1-based line; 0 when the problem concerns the whole file.</param>
/// <param name="Column">1-based column; 0 when unknown.</param>
/// <param name="Code">Stable machine-readable class, e.g. "duplicate-resource".</param>
/// <param name="Message">What is wrong and what to do about it.</param>
public sealed record CompileError(string File, int Line, int Column, string Code, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: error[{Code}]: {Message}";
}
