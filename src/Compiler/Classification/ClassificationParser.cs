using Colabo.Config.Compiler.Yaml;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Classification;

/// <summary>Parses nodes.yaml and nodes/*.yaml into classification rules.</summary>
internal static class ClassificationParser
{
    private static readonly string[] TopKeys = ["classes", "nodes"];
    private static readonly string[] ClassKeys = ["name", "match", "roles", "params"];
    private static readonly string[] MatchKeys = ["name", "facts"];
    private static readonly string[] NodeKeys = ["roles", "params", "environment"];

    public static void Parse(string file, string text, List<ClassificationRule> rules, List<CompileError> errors)
    {
        var docs = YamlLoader.Load(file, text, errors);
        if (docs.Count == 0)
        {
            return;
        }
        var root = YamlShape.Mapping(docs[0], file, "a node classification file", errors);
        if (root is null)
        {
            return;
        }
        foreach (var (k, _) in root.Children)
        {
            if (k is YamlScalarNode ks && !TopKeys.Contains(ks.Value))
            {
                YamlShape.UnknownKey(ks, file, "a node classification file", TopKeys, errors);
            }
        }

        switch (root.Get("classes"))
        {
            case null:
                break;
            case YamlSequenceNode seq:
                var index = 0;
                foreach (var item in seq.Children)
                {
                    index++;
                    if (YamlShape.Mapping(item, file, "a class", errors) is { } m)
                    {
                        rules.Add(ParseClass(m, index, file, errors));
                    }
                }
                break;
            case var other:
                errors.Add(other.At(file).Error("wrong-shape", "classes must be a list of {name, match, roles, params}"));
                break;
        }

        if (YamlShape.Mapping(root.Get("nodes"), file, "nodes", errors) is { } nodes)
        {
            foreach (var (k, v) in nodes.Children)
            {
                var name = ((YamlScalarNode)k).Value ?? "";
                var body = v is YamlScalarNode { Value: null or "" } ? new YamlMappingNode() : YamlShape.Mapping(v, file, $"node '{name}'", errors);
                if (body is null)
                {
                    continue;
                }
                CheckKeys(body, NodeKeys, $"node '{name}'", file, errors);
                var rule = new ClassificationRule
                {
                    File = file,
                    At = k.At(file),
                    Label = $"node '{name}'",
                    ExactName = name,
                    Environment = YamlShape.Scalar(body.Get("environment"), file, "environment", errors),
                };
                FillRolesAndParams(rule, body, file, errors);
                rules.Add(rule);
            }
        }
    }

    private static ClassificationRule ParseClass(YamlMappingNode m, int index, string file, List<CompileError> errors)
    {
        CheckKeys(m, ClassKeys, "a class", file, errors);
        var label = YamlShape.Scalar(m.Get("name"), file, "name", errors);
        var rule = new ClassificationRule
        {
            File = file,
            At = m.At(file),
            Label = label is null ? $"class #{index}" : $"class '{label}'",
        };
        if (YamlShape.Mapping(m.Get("match"), file, "match", errors) is { } match)
        {
            CheckKeys(match, MatchKeys, "match", file, errors);
            foreach (var (glob, _) in YamlShape.ScalarList(match.Get("name"), file, "match.name", errors))
            {
                rule.NameGlobs.Add(ClassificationRule.Glob(glob));
            }
            if (YamlShape.Mapping(match.Get("facts"), file, "match.facts", errors) is { } facts)
            {
                foreach (var (fk, fv) in facts.Children)
                {
                    var values = YamlShape.ScalarList(fv, file, $"match.facts.{fk}", errors).Select(v => v.Value).ToList();
                    rule.FactMatches.Add((((YamlScalarNode)fk).Value ?? "", values, fk.At(file)));
                }
            }
        }
        else if (m.Get("match") is null)
        {
            errors.Add(m.At(file).Error("missing-key",
                $"{rule.Label} has no 'match'; add match: {{name: \"web-*\"}} or match: {{facts: {{...}}}} (use name: \"*\" for every node)"));
        }
        FillRolesAndParams(rule, m, file, errors);
        return rule;
    }

    private static void FillRolesAndParams(ClassificationRule rule, YamlMappingNode m, string file, List<CompileError> errors)
    {
        rule.Roles.AddRange(YamlShape.ScalarList(m.Get("roles"), file, "roles", errors));
        if (YamlShape.Mapping(m.Get("params"), file, "params", errors) is { } parameters)
        {
            foreach (var (rk, rv) in parameters.Children)
            {
                var role = ((YamlScalarNode)rk).Value ?? "";
                if (YamlShape.Mapping(rv, file, $"params of role '{role}' (params: {{ROLE: {{PARAM: VALUE}}}})", errors) is { } values)
                {
                    var target = rule.Params.TryGetValue(role, out var existing) ? existing : rule.Params[role] = new(StringComparer.Ordinal);
                    foreach (var (pk, pv) in values.Children)
                    {
                        target[((YamlScalarNode)pk).Value ?? ""] = pv;
                    }
                }
            }
        }
    }

    private static void CheckKeys(YamlMappingNode m, string[] allowed, string where, string file, List<CompileError> errors)
    {
        foreach (var (k, _) in m.Children)
        {
            if (k is YamlScalarNode ks && !allowed.Contains(ks.Value))
            {
                YamlShape.UnknownKey(ks, file, where, allowed, errors);
            }
        }
    }
}
