namespace Colabo.Config.Cli.Output;

/// <summary>A minimal line diff (longest common subsequence) for multi-line property values.</summary>
internal static class LineDiff
{
    private const int MaxLines = 2000;

    /// <summary>Lines prefixed with "  ", "- " or "+ "; unchanged runs longer than 3 are elided.</summary>
    public static IEnumerable<string> Lines(string before, string after)
    {
        var a = before.TrimEnd('\n').Split('\n');
        var b = after.TrimEnd('\n').Split('\n');
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            foreach (var line in a)
            {
                yield return "- " + line;
            }
            foreach (var line in b)
            {
                yield return "+ " + line;
            }
            yield break;
        }
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var output = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                output.Add("  " + a[x]);
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                output.Add("- " + a[x++]);
            }
            else
            {
                output.Add("+ " + b[y++]);
            }
        }
        // Keep one line of context around changes; elide longer unchanged runs.
        var skipping = false;
        for (var i = 0; i < output.Count; i++)
        {
            if (IsShown(output, i))
            {
                skipping = false;
                yield return output[i];
            }
            else if (!skipping)
            {
                skipping = true;
                yield return "  ...";
            }
        }
    }

    private static bool IsShown(List<string> output, int i) =>
        Enumerable.Range(Math.Max(0, i - 1), Math.Min(output.Count, i + 2) - Math.Max(0, i - 1)).Any(k => output[k][0] != ' ');
}
