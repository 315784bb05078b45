namespace Colabo.Config.Modules.Packages;

/// <summary>Parses the "Candidate:" of every package block of <c>LC_ALL=C apt-cache policy a b c</c>.</summary>
internal static class AptCachePolicyOutput
{
    public static Dictionary<string, string> ParseCandidates(string output)
    {
        var candidates = new Dictionary<string, string>(StringComparer.Ordinal);
        string? package = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length > 1 && !char.IsWhiteSpace(line[0]) && line.EndsWith(':'))
            {
                package = line[..^1];
                continue;
            }

            var trimmed = line.TrimStart();
            if (package is not null && trimmed.StartsWith("Candidate:", StringComparison.Ordinal))
            {
                var candidate = trimmed["Candidate:".Length..].Trim();
                if (candidate != "(none)")
                {
                    candidates[package] = candidate;
                }
            }
        }

        return candidates;
    }
}
