using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Classification;

/// <summary>
/// One entry of nodes.yaml: either an exact node (under <c>nodes:</c>) or a class (under
/// <c>classes:</c>) that matches node names by glob and/or fact values.
/// </summary>
internal sealed class ClassificationRule
{
    public required string File { get; init; }
    public required SourceSpan At { get; init; }
    public required string Label { get; init; }
    /// <summary>Exact node name for a node entry; null for a class.</summary>
    public string? ExactName { get; init; }
    public List<Regex> NameGlobs { get; } = [];
    public List<(string Fact, List<string> Values, SourceSpan At)> FactMatches { get; } = [];
    public List<(string Role, SourceSpan At)> Roles { get; } = [];
    /// <summary>role → param → value node.</summary>
    public Dictionary<string, Dictionary<string, YamlNode>> Params { get; } = new(StringComparer.Ordinal);
    public string? Environment { get; init; }

    public bool IsNode => ExactName is not null;

    public bool Matches(string node, Func<string, object?> lookup)
    {
        if (ExactName is not null)
        {
            return ExactName == node;
        }
        if (NameGlobs.Count > 0 && !NameGlobs.Any(g => g.IsMatch(node)))
        {
            return false;
        }
        foreach (var (fact, values, _) in FactMatches)
        {
            var actual = FactText(lookup(fact));
            if (actual is null || !values.Contains(actual))
            {
                return false;
            }
        }
        return true;
    }

    internal static string? FactText(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        string s => s,
        _ => value.ToString(),
    };

    public static Regex Glob(string pattern)
    {
        var regex = "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal)
            .Replace(@"\?", ".", StringComparison.Ordinal).Replace(@"\[", "[", StringComparison.Ordinal) + "$";
        return new Regex(regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
