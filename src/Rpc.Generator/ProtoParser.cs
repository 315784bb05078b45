using System;
using System.Collections.Generic;
using System.Text;

namespace Colabo.Config.Rpc.Generator;

/// <summary>
/// A small .proto reader: enough of the grammar to find the package, the C# namespace, message names
/// (for type resolution) and services with their rpcs. Everything else is skipped by brace matching.
/// </summary>
internal static class ProtoParser
{
    public static ProtoFile Parse(string path, string text)
    {
        var file = new ProtoFile { Path = path };
        var tokens = Tokenize(text);
        var p = 0;
        try
        {
            while (p < tokens.Count)
            {
                var t = tokens[p];
                switch (t)
                {
                    case "package":
                        file.Package = tokens[p + 1];
                        p = SkipPast(tokens, p, ";");
                        break;
                    case "option":
                        if (tokens[p + 1] == "csharp_namespace" && tokens[p + 2] == "=")
                        {
                            file.CSharpNamespace = Unquote(tokens[p + 3]);
                        }
                        p = SkipPast(tokens, p, ";");
                        break;
                    case "message":
                        p = ParseMessage(file, tokens, p, prefixProto: null, prefixCs: null);
                        break;
                    case "enum":
                    case "extend":
                        p = SkipBlock(tokens, p);
                        break;
                    case "service":
                        p = ParseService(file, tokens, p);
                        break;
                    default:
                        p = t == ";" ? p + 1 : SkipPast(tokens, p, ";");
                        break;
                }
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            file.Errors.Add("unexpected end of file");
        }
        return file;
    }

    private static int ParseMessage(ProtoFile file, List<string> tokens, int p, string? prefixProto, string? prefixCs)
    {
        var name = tokens[p + 1];
        var protoName = prefixProto is null ? name : prefixProto + "." + name;
        var csName = prefixCs is null ? name : prefixCs + ".Types." + name;
        file.Messages.Add(new KeyValuePair<string, string>(protoName, csName));
        p += 2;
        Expect(tokens, p, "{");
        p++;
        var depth = 1;
        while (depth > 0)
        {
            var t = tokens[p];
            if (t == "message" && depth == 1 && p + 2 < tokens.Count && tokens[p + 2] == "{")
            {
                p = ParseMessage(file, tokens, p, protoName, csName);
                continue;
            }
            if (t == "{")
            {
                depth++;
            }
            else if (t == "}")
            {
                depth--;
            }
            p++;
        }
        return p;
    }

    private static int ParseService(ProtoFile file, List<string> tokens, int p)
    {
        var service = new ProtoService { Name = tokens[p + 1] };
        file.Services.Add(service);
        p += 2;
        Expect(tokens, p, "{");
        p++;
        while (tokens[p] != "}")
        {
            if (tokens[p] != "rpc")
            {
                p = tokens[p] == "option" ? SkipPast(tokens, p, ";") : p + 1;
                continue;
            }
            var method = new ProtoMethod { Name = tokens[p + 1] };
            p += 2;
            Expect(tokens, p, "(");
            p++;
            if (tokens[p] == "stream")
            {
                method.ClientStreaming = true;
                p++;
            }
            method.InputType = tokens[p++];
            Expect(tokens, p++, ")");
            Expect(tokens, p++, "returns");
            Expect(tokens, p++, "(");
            if (tokens[p] == "stream")
            {
                method.ServerStreaming = true;
                p++;
            }
            method.OutputType = tokens[p++];
            Expect(tokens, p++, ")");
            if (tokens[p] == ";")
            {
                p++;
            }
            else
            {
                Expect(tokens, p++, "{");
                while (tokens[p] != "}")
                {
                    if (tokens[p] == "option" && tokens[p + 1] == "idempotency_level" && tokens[p + 2] == "=")
                    {
                        method.Idempotent = tokens[p + 3] is "IDEMPOTENT" or "NO_SIDE_EFFECTS";
                    }
                    p++;
                }
                p++;
                if (p < tokens.Count && tokens[p] == ";")
                {
                    p++;
                }
            }
            service.Methods.Add(method);
        }
        return p + 1;
    }

    private static void Expect(List<string> tokens, int p, string expected)
    {
        if (tokens[p] != expected)
        {
            throw new FormatException($"expected '{expected}' but found '{tokens[p]}'");
        }
    }

    private static int SkipPast(List<string> tokens, int p, string terminator)
    {
        while (tokens[p] != terminator)
        {
            if (tokens[p] == "{")
            {
                return SkipBlockFrom(tokens, p);
            }
            p++;
        }
        return p + 1;
    }

    private static int SkipBlock(List<string> tokens, int p)
    {
        while (tokens[p] != "{")
        {
            p++;
        }
        return SkipBlockFrom(tokens, p);
    }

    private static int SkipBlockFrom(List<string> tokens, int p)
    {
        var depth = 0;
        do
        {
            if (tokens[p] == "{")
            {
                depth++;
            }
            else if (tokens[p] == "}")
            {
                depth--;
            }
            p++;
        }
        while (depth > 0);
        return p;
    }

    private static string Unquote(string s) => s.Length >= 2 && (s[0] == '"' || s[0] == '\'') ? s.Substring(1, s.Length - 2) : s;

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (c == '"' || c == '\'')
            {
                var sb = new StringBuilder();
                sb.Append(c);
                i++;
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        sb.Append(text[i]);
                        i++;
                    }
                    sb.Append(text[i]);
                    i++;
                }
                sb.Append(c);
                i++;
                tokens.Add(sb.ToString());
            }
            else if (char.IsLetterOrDigit(c) || c == '_' || c == '.')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '.'))
                {
                    i++;
                }
                tokens.Add(text.Substring(start, i - start));
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }
        return tokens;
    }
}
