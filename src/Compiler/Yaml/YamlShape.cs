using Colabo.Config.Compiler.Internal;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Yaml;

/// <summary>Shape checks shared by the role and classification parsers, each reporting a located error.</summary>
internal static class YamlShape
{
    public static YamlMappingNode? Mapping(YamlNode? node, string file, string what, List<CompileError> errors)
    {
        if (node is YamlMappingNode m)
        {
            return m;
        }
        if (node is not null)
        {
            errors.Add(node.At(file).Error("wrong-shape", $"{what} must be a mapping (key: value)"));
        }
        return null;
    }

    public static string? Scalar(YamlNode? node, string file, string what, List<CompileError> errors)
    {
        if (node is YamlScalarNode s)
        {
            return s.Value ?? "";
        }
        if (node is not null)
        {
            errors.Add(node.At(file).Error("wrong-shape", $"{what} must be a single value, not a list or mapping"));
        }
        return null;
    }

    /// <summary>A list of scalars; a single scalar counts as a list of one.</summary>
    public static List<(string Value, SourceSpan At)> ScalarList(YamlNode? node, string file, string what, List<CompileError> errors)
    {
        var list = new List<(string, SourceSpan)>();
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode s:
                list.Add((s.Value ?? "", s.At(file)));
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode si)
                    {
                        list.Add((si.Value ?? "", si.At(file)));
                    }
                    else
                    {
                        errors.Add(item.At(file).Error("wrong-shape", $"each entry of {what} must be a single value"));
                    }
                }
                break;
            default:
                errors.Add(node.At(file).Error("wrong-shape", $"{what} must be a value or a list of values"));
                break;
        }
        return list;
    }

    public static void UnknownKey(YamlScalarNode key, string file, string where, IEnumerable<string> known, List<CompileError> errors)
    {
        var name = key.Value ?? "";
        var candidates = known.ToList();
        errors.Add(key.At(file).Error("unknown-key",
            $"unknown key '{name}' in {where}{Suggest.DidYouMean(name, candidates)} (allowed: {string.Join(", ", candidates)})"));
    }

    public static YamlNode? Get(this YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return v;
            }
        }
        return null;
    }
}
