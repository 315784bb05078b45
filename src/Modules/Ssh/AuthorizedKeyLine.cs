using System.Text;

namespace Colabo.Config.Modules.Ssh;

/// <summary>One line of authorized_keys: "[options] type base64-key [comment]", as sshd(8) reads it.</summary>
internal sealed record AuthorizedKeyLine(string Text, string? Type, string? Key, string? Comment)
{
    public static AuthorizedKeyLine Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#')
        {
            return new AuthorizedKeyLine(text, null, null, null);
        }

        var tokens = Tokenize(trimmed);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (IsKeyType(tokens[i]))
            {
                var comment = i + 2 < tokens.Count ? string.Join(' ', tokens.Skip(i + 2)) : null;
                return new AuthorizedKeyLine(text, tokens[i], tokens[i + 1], comment);
            }
        }

        return new AuthorizedKeyLine(text, null, null, null);
    }

    public static string Format(string type, string key, string comment, IEnumerable<string> options)
    {
        var line = new StringBuilder();
        var joined = string.Join(',', options);
        if (joined.Length > 0)
        {
            line.Append(joined).Append(' ');
        }

        line.Append(type).Append(' ').Append(key);
        if (comment.Length > 0)
        {
            line.Append(' ').Append(comment);
        }

        return line.ToString();
    }

    /// <summary>A short, recognizable form for reports: "ssh-ed25519 …last12 comment".</summary>
    public string Describe() =>
        Key is null ? Text : $"{Type} …{Key[^Math.Min(12, Key.Length)..]}{(Comment is null ? "" : " " + Comment)}";

    public static bool IsKeyType(string token) =>
        token.StartsWith("ssh-", StringComparison.Ordinal) || token.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) || token.StartsWith("sk-", StringComparison.Ordinal);

    // Options may hold quoted spaces (command="a b"); everything else splits on blanks.
    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && quoted && i + 1 < text.Length)
            {
                current.Append(c).Append(text[++i]);
            }
            else if (c == '"')
            {
                quoted = !quoted;
                current.Append(c);
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
