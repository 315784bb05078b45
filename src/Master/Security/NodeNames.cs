namespace Colabo.Config.Master.Security;

/// <summary>Node names: DNS-like labels, lower-case letters, digits, '-', '.', at most 253 characters.</summary>
public static class NodeNames
{
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 253
        && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.' or '_');
}
