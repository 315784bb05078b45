namespace Colabo.Config.Compiler.Roles;

/// <summary>One parsed role file (roles/NAME.yaml).</summary>
internal sealed class RoleDefinition
{
    public required string Name { get; init; }
    public required string File { get; init; }
    public required SourceSpan At { get; init; }
    public string Description { get; init; } = "";
    public bool Audit { get; init; }
    public List<(string Role, SourceSpan At)> Includes { get; } = [];
    public Dictionary<string, ParamDeclaration> Params { get; } = new(StringComparer.Ordinal);
    public List<ResourceDeclaration> Resources { get; } = [];
}
