using Colabo.Config.Compiler.Yaml;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Roles;

/// <summary>Turns roles/NAME.yaml into a <see cref="RoleDefinition"/>, collecting every shape error.</summary>
internal static class RoleParser
{
    private static readonly string[] TopKeys = ["role", "description", "include", "params", "resources", "audit"];
    private static readonly string[] ParamKeys = ["type", "default", "description"];

    public static RoleDefinition? Parse(string file, string text, List<CompileError> errors)
    {
        var stem = Path.GetFileNameWithoutExtension(file);
        var docs = YamlLoader.Load(file, text, errors);
        if (docs.Count == 0)
        {
            return null;
        }
        if (docs.Count > 1)
        {
            errors.Add(docs[1].At(file).Error("wrong-shape", "a role file holds exactly one YAML document; remove the extra '---'"));
        }
        var root = YamlShape.Mapping(docs[0], file, "a role file", errors);
        if (root is null)
        {
            return null;
        }

        foreach (var (k, _) in root.Children)
        {
            if (k is YamlScalarNode ks && !TopKeys.Contains(ks.Value))
            {
                YamlShape.UnknownKey(ks, file, "a role file", TopKeys, errors);
            }
        }

        var name = YamlShape.Scalar(root.Get("role"), file, "role", errors) ?? stem;
        if (name != stem)
        {
            errors.Add(root.Get("role")!.At(file).Error("role-name-mismatch",
                $"role '{name}' is defined in '{file}'; rename the file to roles/{name}.yaml or the role to '{stem}'"));
        }

        var audit = false;
        if (root.Get("audit") is { } auditNode)
        {
            audit = ParseBool(auditNode, file, "audit", errors);
        }

        var role = new RoleDefinition
        {
            Name = stem,
            File = file,
            At = root.At(file),
            Description = YamlShape.Scalar(root.Get("description"), file, "description", errors) ?? "",
            Audit = audit,
        };

        foreach (var (include, at) in YamlShape.ScalarList(root.Get("include"), file, "include", errors))
        {
            role.Includes.Add((include, at));
        }

        if (YamlShape.Mapping(root.Get("params"), file, "params", errors) is { } parameters)
        {
            foreach (var (k, v) in parameters.Children)
            {
                if (ParseParam((YamlScalarNode)k, v, file, errors) is { } p)
                {
                    role.Params[p.Name] = p;
                }
            }
        }

        switch (root.Get("resources"))
        {
            case null:
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    if (ParseResource(item, file, errors) is { } r)
                    {
                        role.Resources.Add(r);
                    }
                }
                break;
            case var other:
                errors.Add(other.At(file).Error("wrong-shape",
                    "resources must be a list whose entries start with the kind, e.g. '- package: nginx'"));
                break;
        }
        return role;
    }

    internal static bool ParseBool(YamlNode node, string file, string what, List<CompileError> errors)
    {
        if (node is YamlScalarNode s && YamlLoader.ToValue(s) is bool b)
        {
            return b;
        }
        errors.Add(node.At(file).Error("wrong-type", $"{what} must be true or false"));
        return false;
    }

    private static ParamDeclaration? ParseParam(YamlScalarNode key, YamlNode value, string file, List<CompileError> errors)
    {
        var name = key.Value ?? "";
        if (value is YamlMappingNode m && m.Get("type") is { } typeNode)
        {
            foreach (var (k, _) in m.Children)
            {
                if (k is YamlScalarNode ks && !ParamKeys.Contains(ks.Value))
                {
                    YamlShape.UnknownKey(ks, file, $"param '{name}'", ParamKeys, errors);
                }
            }
            var typeName = YamlShape.Scalar(typeNode, file, "type", errors) ?? "string";
            if (!Enum.TryParse<ParamType>(typeName, ignoreCase: true, out var type) || typeName.Any(char.IsUpper))
            {
                errors.Add(typeNode.At(file).Error("unknown-type",
                    $"param '{name}' has unknown type '{typeName}'; use string, int, bool, list or map"));
                return null;
            }
            var defaultNode = m.Get("default");
            if (defaultNode is not null && TypeError(type, defaultNode) is { } problem)
            {
                errors.Add(defaultNode.At(file).Error("wrong-type", $"default of param '{name}' {problem}"));
            }
            var description = YamlShape.Scalar(m.Get("description"), file, "description", errors) ?? "";
            return new ParamDeclaration(name, type, defaultNode, key.At(file), description);
        }
        if (value is YamlMappingNode)
        {
            errors.Add(value.At(file).Error("wrong-shape",
                $"param '{name}' is a mapping without 'type'; declare it as {{type: map, default: {{...}}}}"));
            return null;
        }
        // Shorthand "name: default": the type is the default's type.
        var inferred = value switch
        {
            YamlSequenceNode => ParamType.List,
            YamlScalarNode s => YamlLoader.ToValue(s) switch
            {
                bool => ParamType.Bool,
                long => ParamType.Int,
                _ => ParamType.String,
            },
            _ => ParamType.String,
        };
        return new ParamDeclaration(name, inferred, value, key.At(file), "");
    }

    /// <summary>Why a value does not fit a type, or null when it does.</summary>
    internal static string? TypeError(ParamType type, YamlNode value) => (type, value) switch
    {
        (ParamType.String, YamlScalarNode) => null,
        (ParamType.Int, YamlScalarNode s) when YamlLoader.ToValue(s) is long || IsTemplate(s) => null,
        (ParamType.Bool, YamlScalarNode s) when YamlLoader.ToValue(s) is bool || IsTemplate(s) => null,
        (ParamType.List, YamlSequenceNode) => null,
        (ParamType.Map, YamlMappingNode) => null,
        _ => $"must be {Describe(type)}, not {Describe(value)}",
    };

    private static bool IsTemplate(YamlScalarNode s) => s.Value?.Contains("{{", StringComparison.Ordinal) == true;

    private static string Describe(ParamType type) => type switch
    {
        ParamType.String => "a string",
        ParamType.Int => "an int",
        ParamType.Bool => "a bool (true or false)",
        ParamType.List => "a list",
        _ => "a map",
    };

    private static string Describe(YamlNode value) => value switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a map",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "this value",
    };

    private static ResourceDeclaration? ParseResource(YamlNode item, string file, List<CompileError> errors)
    {
        if (item is not YamlMappingNode body || body.Children.Count == 0)
        {
            errors.Add(item.At(file).Error("wrong-shape",
                "a resource is a mapping that starts with its kind, e.g. '- file: /etc/motd'"));
            return null;
        }
        var (firstKey, firstValue) = body.Children[0];
        var kind = (firstKey as YamlScalarNode)?.Value ?? "";
        if (!ResourceKinds.IsKind(kind))
        {
            var hint = body.Children.Select(c => (c.Key as YamlScalarNode)?.Value).FirstOrDefault(k => k is not null && ResourceKinds.IsKind(k));
            var message = hint is not null
                ? $"the kind key '{hint}' must come first in a resource"
                : $"unknown resource kind '{kind}'{Internal.Suggest.DidYouMean(kind, ResourceKinds.Keys.Keys)} (kinds: {string.Join(", ", ResourceKinds.Keys.Keys.Order())})";
            errors.Add(firstKey.At(file).Error("unknown-kind", message));
            return null;
        }
        if (firstValue is not YamlScalarNode nameNode || string.IsNullOrWhiteSpace(nameNode.Value))
        {
            var hint = firstValue is YamlMappingNode { Style: YamlDotNet.Core.Events.MappingStyle.Flow }
                ? "; quote a name that starts with '{{', e.g. \"{{item.name}}\""
                : "";
            errors.Add(firstValue.At(file).Error("wrong-shape", $"'{kind}:' must be followed by the resource's name{hint}"));
            return null;
        }
        var allowed = ResourceKinds.Keys[kind];
        foreach (var (k, _) in body.Children.Skip(1))
        {
            if (k is YamlScalarNode ks && !allowed.Contains(ks.Value) && !ResourceKinds.CommonKeys.Contains(ks.Value))
            {
                YamlShape.UnknownKey(ks, file, $"a {kind} resource", allowed.Concat(ResourceKinds.CommonKeys), errors);
            }
        }
        return new ResourceDeclaration(kind, nameNode, body, item.At(file));
    }
}
