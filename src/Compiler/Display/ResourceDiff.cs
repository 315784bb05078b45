namespace Colabo.Config.Compiler.Display;

/// <summary>How one resource differs between two catalogs.</summary>
public sealed record ResourceDiff(string Id, ResourceDiffKind Kind, IReadOnlyList<PropertyDiffEntry> Properties);
