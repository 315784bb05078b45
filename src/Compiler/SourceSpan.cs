namespace Colabo.Config.Compiler;

/// <summary>A place in the role repository: file relative to the root, 1-based line and column.</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    public CompileError Error(string code, string message) => new(File, Line, Column, code, message);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
