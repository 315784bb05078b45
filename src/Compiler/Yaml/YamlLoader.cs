using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Yaml;

/// <summary>Parses YAML keeping every node's line and column, and converts nodes to plain values.</summary>
internal static class YamlLoader
{
    /// <summary>Parses all documents of a file; a syntax error becomes a located error.</summary>
    public static IReadOnlyList<YamlNode> Load(string file, string text, List<CompileError> errors)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var roots = stream.Documents.Select(d => d.RootNode).ToList();
            var budget = MaxExpandedNodes;
            foreach (var root in roots)
            {
                if (!WithinBudget(root, ref budget))
                {
                    errors.Add(new CompileError(file, (int)root.Start.Line, (int)root.Start.Column, "yaml-too-large",
                        $"this YAML expands to more than {MaxExpandedNodes} values (nested aliases?); simplify it"));
                    return [];
                }
            }
            return roots;
        }
        catch (YamlException e)
        {
            var message = e.InnerException is { } inner && inner.Message.Length > 0 ? inner.Message : e.Message;
            // YamlDotNet prefixes "(Lin: x, Col: y, Chr: z) - (...): "; the location is reported separately.
            var colon = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && colon > 0)
            {
                message = message[(colon + 3)..];
            }
            errors.Add(new CompileError(file, (int)e.Start.Line, (int)e.Start.Column, "yaml-syntax",
                $"invalid YAML: {message}"));
            return [];
        }
    }

    /// <summary>Aliases can make a small file expand exponentially ("billion laughs"); bound the expansion.</summary>
    public const int MaxExpandedNodes = 500_000;

    private static bool WithinBudget(YamlNode node, ref int budget)
    {
        if (--budget < 0)
        {
            return false;
        }
        switch (node)
        {
            case YamlMappingNode m:
                foreach (var (k, v) in m.Children)
                {
                    if (!WithinBudget(k, ref budget) || !WithinBudget(v, ref budget))
                    {
                        return false;
                    }
                }
                break;
            case YamlSequenceNode q:
                foreach (var c in q.Children)
                {
                    if (!WithinBudget(c, ref budget))
                    {
                        return false;
                    }
                }
                break;
        }
        return true;
    }

    public static SourceSpan At(this YamlNode node, string file) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    public static bool IsPlain(this YamlScalarNode s) => s.Style is ScalarStyle.Plain or ScalarStyle.Any;

    /// <summary>A plain scalar's YAML 1.2 core-schema value: null, bool, long, double or string.</summary>
    public static object? ToValue(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode s:
                var v = s.Value ?? "";
                if (!s.IsPlain())
                {
                    return v;
                }
                if (v is "" or "~" or "null" or "Null" or "NULL")
                {
                    return null;
                }
                if (v is "true" or "True" or "TRUE")
                {
                    return true;
                }
                if (v is "false" or "False" or "FALSE")
                {
                    return false;
                }
                if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return l;
                }
                if (LooksLikeFloat(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return d;
                }
                return v;
            case YamlSequenceNode seq:
                return seq.Children.Select(ToValue).ToList();
            case YamlMappingNode map:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, val) in map.Children)
                {
                    dict[(k as YamlScalarNode)?.Value ?? k.ToString()] = ToValue(val);
                }
                return dict;
            default:
                return null;
        }
    }

    private static bool LooksLikeFloat(string v) =>
        v.Length > 0 && (char.IsDigit(v[0]) || v[0] is '-' or '+' or '.') && v.Any(char.IsDigit) &&
        v.All(c => char.IsDigit(c) || c is '.' or 'e' or 'E' or '-' or '+');

    /// <summary>Writes a YAML node as JSON (plain scalars typed by the core schema).</summary>
    public static void WriteJson(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (k, v) in map.Children)
                {
                    writer.WritePropertyName((k as YamlScalarNode)?.Value ?? "");
                    WriteJson(writer, v);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                writer.WriteStartArray();
                foreach (var c in seq.Children)
                {
                    WriteJson(writer, c);
                }
                writer.WriteEndArray();
                break;
            default:
                WriteJsonValue(writer, ToValue(node));
                break;
        }
    }

    public static void WriteJsonValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case double d: writer.WriteNumberValue(d); break;
            case string s: writer.WriteStringValue(s); break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                writer.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    writer.WritePropertyName(k);
                    WriteJsonValue(writer, v);
                }
                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJsonValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    public static string ToJson(YamlNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer, node);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
