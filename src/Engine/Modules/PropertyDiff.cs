namespace Colabo.Config.Engine.Modules;

/// <summary>One property that differs. Null means absent. The engine redacts secret properties.</summary>
public sealed record PropertyDiff(string Property, string? Before, string? After);
