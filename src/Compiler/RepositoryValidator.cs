using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Compiler;

/// <summary>
/// Validates a whole role repository: parse errors of every file, plus a compile for every example
/// node whose facts are in <c>facts/NODE.yaml</c> (or .json).
/// </summary>
public static class RepositoryValidator
{
    public static ValidationResult Validate(RepositorySnapshot snapshot, CatalogCompiler? compiler = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        compiler ??= new CatalogCompiler();
        var errors = new List<CompileError>(snapshot.Roles.Errors);
        var nodes = new List<string>();
        foreach (var file in snapshot.Under("facts"))
        {
            var name = Path.GetFileName(file.Path);
            var extension = Path.GetExtension(name);
            if (extension is not (".yaml" or ".yml" or ".json"))
            {
                continue;
            }
            var node = name[..^extension.Length];
            Facts facts;
            try
            {
                facts = Facts.Parse(file.Text, file.Path);
            }
            catch (FormatException e)
            {
                errors.Add(new CompileError(file.Path, 1, 1, "bad-facts", e.Message));
                continue;
            }
            nodes.Add(node);
            errors.AddRange(compiler.Compile(snapshot, node, facts).Errors);
        }
        // The same mistake fails the compile of every node; report it once (the first node's wording).
        var distinct = errors.DistinctBy(e => (e.File, e.Line, e.Column, e.Code))
            .OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line).ThenBy(e => e.Column)
            .ToList();
        return new ValidationResult(distinct, nodes);
    }
}
