namespace Colabo.Config.Compiler.Display;

/// <summary>One displayable property of a resource; <see cref="Value"/> is already redacted when secret.</summary>
public sealed record ResourceProperty(string Name, string Value, bool Secret)
{
    public const string Redacted = "<redacted>";
}
