namespace Colabo.Config.Compiler.Display;

/// <summary>A property before and after; null means absent on that side. Secret values are redacted.</summary>
public sealed record PropertyDiffEntry(string Name, string? Before, string? After, bool Secret);
