using System.Text;

namespace Colabo.Config.Store;

/// <summary>Glob patterns (<c>*</c>, <c>?</c>) for node names and resource ids.</summary>
public static class Glob
{
    /// <summary>Translates a glob into a SQL LIKE pattern with <c>\</c> as the escape character.</summary>
    public static string ToLike(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        var like = new StringBuilder(glob.Length + 4);
        foreach (var c in glob)
        {
            switch (c)
            {
                case '*': like.Append('%'); break;
                case '?': like.Append('_'); break;
                case '%' or '_' or '\\': like.Append('\\').Append(c); break;
                default: like.Append(c); break;
            }
        }
        return like.ToString();
    }

    public static bool IsMatch(string glob, string value)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentNullException.ThrowIfNull(value);
        return Match(glob.AsSpan(), value.AsSpan());
    }

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
