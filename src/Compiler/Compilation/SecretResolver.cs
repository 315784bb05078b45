namespace Colabo.Config.Compiler.Compilation;

/// <summary>
/// Resolves <c>secret: NAME</c> references. Without a secret store (offline validate/plan) every
/// reference resolves to the placeholder "&lt;secret:NAME&gt;" so a plan never needs real secrets.
/// </summary>
internal sealed class SecretResolver(IReadOnlyDictionary<string, string>? store)
{
    public SortedSet<string> Used { get; } = new(StringComparer.Ordinal);

    public string? Resolve(string name, SourceSpan at, List<CompileError> errors)
    {
        Used.Add(name);
        if (store is null)
        {
            return $"<secret:{name}>";
        }
        if (store.TryGetValue(name, out var value))
        {
            return value;
        }
        errors.Add(at.Error("unknown-secret",
            $"secret '{name}' is not in the master's secret store; add it with 'colabo secret set {name}' or fix the name"));
        return null;
    }
}
