namespace Colabo.Config.Modules.Docker.Internal;

/// <summary>Stable display of label and environment maps in reports.</summary>
internal static class Labels
{
    public static string Format(IEnumerable<KeyValuePair<string, string>> map) =>
        string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
