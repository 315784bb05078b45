using Colabo.Config.Compiler;

namespace Colabo.Config.Compiler.Tests.Support;

internal static class ErrorAssert
{
    /// <summary>Exactly one error of <paramref name="code"/>, at file:line:column; returns it.</summary>
    public static CompileError Single(CompileResult result, string code, string file, int line, int column)
    {
        Assert.False(result.Success, "expected the compile to fail");
        var matching = result.Errors.Where(e => e.Code == code).ToList();
        Assert.True(matching.Count == 1, $"expected one '{code}' error, got:\n{string.Join("\n", result.Errors)}");
        var error = matching[0];
        Assert.Equal($"{file}:{line}:{column}", $"{error.File}:{error.Line}:{error.Column}");
        return error;
    }
}
