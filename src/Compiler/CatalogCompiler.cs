using System.Globalization;
using Colabo.Config.Compiler.Classification;
using Colabo.Config.Compiler.Compilation;
using Colabo.Config.Compiler.Evaluation;
using Colabo.Config.Compiler.Repository;
using Colabo.Config.Compiler.Roles;
using Colabo.Config.Compiler.Yaml;
using Colabo.Config.Contracts.V1;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler;

/// <summary>
/// The pure function (roles@commit, node name, facts, secrets) → catalog. Thread-safe: it keeps no
/// state between calls beyond the parse cache on the snapshot and the shared template cache.
/// </summary>
public sealed class CatalogCompiler
{
    /// <summary>Compiles the catalog of <paramref name="node"/>.</summary>
    /// <param name="secrets">The master's secrets by name; null resolves every reference to a placeholder (offline plan/validate).</param>
    /// <param name="environment">Recorded in the catalog (the branch the node follows).</param>
    /// <param name="extraRoles">Roles the node gets besides its classification (e.g. from its enrollment token), applied after them.</param>
    public CompileResult Compile(RepositorySnapshot snapshot, string node, Facts facts,
        IReadOnlyDictionary<string, string>? secrets = null, string environment = "", IReadOnlyList<string>? extraRoles = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(facts);

        var roles = snapshot.Roles;
        var errors = new List<CompileError>(roles.Errors);
        var secretResolver = new SecretResolver(secrets);
        var factAccess = new FactAccess(facts);
        var catalog = new Catalog { Node = node, Environment = environment, Commit = snapshot.Commit };

        var (matched, classificationErrors) = Classify(snapshot, roles, node, factAccess, extraRoles ?? []);
        errors.AddRange(classificationErrors);
        var ordered = ExpandIncludes(roles, matched.Roles);
        catalog.Roles.AddRange(ordered.Select(r => r.Name));

        var locations = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        var referenceLocations = new Dictionary<string, Dictionary<string, SourceSpan>>(StringComparer.Ordinal);
        var builder = new ResourceBuilder(snapshot);
        foreach (var role in ordered)
        {
            var parameters = BindParams(role, matched, node, factAccess, errors);
            var scope = new EvalScope(node, factAccess, parameters);
            foreach (var declaration in role.Resources)
            {
                foreach (var itemScope in Expand(declaration, role, scope, errors))
                {
                    if (!Applies(declaration, role, itemScope, errors))
                    {
                        continue;
                    }
                    var resource = Build(declaration, role, itemScope, secretResolver, builder, errors, out var references);
                    if (resource is null)
                    {
                        continue;
                    }
                    if (locations.TryGetValue(resource.Id, out var first))
                    {
                        errors.Add(declaration.At.Error("duplicate-resource",
                            $"{resource.Id} is declared twice: here (role '{role.Name}') and at {first} (role '{catalog.Resources.First(r => r.Id == resource.Id).Role}'); keep one, or give them different names"));
                        continue;
                    }
                    locations[resource.Id] = declaration.At;
                    referenceLocations[resource.Id] = references;
                    catalog.Resources.Add(resource);
                }
            }
        }

        DependencyGraph.Complete(catalog, locations, referenceLocations, node, errors);

        errors.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.File, b.File);
            c = c != 0 ? c : a.Line.CompareTo(b.Line);
            c = c != 0 ? c : a.Column.CompareTo(b.Column);
            return c != 0 ? c : string.CompareOrdinal(a.Message, b.Message);
        });
        // One error per place: a template rendered by two resources fails once, not twice.
        var distinct = errors.DistinctBy(e => (e.File, e.Line, e.Column, e.Code)).ToList();
        if (distinct.Count == 0)
        {
            catalog.ContentHash = CatalogHasher.Compute(catalog);
        }
        return new CompileResult(catalog, distinct, secretResolver.Used, factAccess.Used);
    }

    internal sealed class Classification
    {
        public List<(string Role, SourceSpan At)> Roles { get; } = [];
        /// <summary>role → param → (value node, file, precedence label).</summary>
        public Dictionary<string, Dictionary<string, (YamlNode Value, string File, string Source)>> Params { get; } = new(StringComparer.Ordinal);
    }

    private static (Classification, List<CompileError>) Classify(RepositorySnapshot snapshot, RoleSet roles, string node, FactAccess facts, IReadOnlyList<string> extraRoles)
    {
        var result = new Classification();
        var errors = new List<CompileError>();
        // Classes first (in file order, later wins), then the node's own entry: node > classification.
        var matches = roles.Rules.Where(r => !r.IsNode && r.Matches(node, facts.Lookup))
            .Concat(roles.Rules.Where(r => r.IsNode && r.Matches(node, facts.Lookup))).ToList();
        foreach (var role in extraRoles)
        {
            if (roles.Roles.ContainsKey(role))
            {
                continue;
            }
            errors.Add(new CompileError("nodes.yaml", 0, 0, "unknown-role",
                $"node '{node}' was enrolled with role '{role}', which has no roles/{role}.yaml in this commit{Internal.Suggest.DidYouMean(role, roles.Roles.Keys)}"));
        }
        if (matches.Count == 0 && extraRoles.Count == 0)
        {
            var file = roles.Rules.FirstOrDefault()?.File ?? (snapshot.Contains("nodes.yml") ? "nodes.yml" : "nodes.yaml");
            errors.Add(new CompileError(file, 1, 1, "unclassified-node",
                $"node '{node}' matches no class and no node entry; add it under nodes: or add a class whose match covers it"));
            return (result, errors);
        }
        foreach (var rule in matches)
        {
            foreach (var (role, at) in rule.Roles)
            {
                if (!result.Roles.Any(r => r.Role == role) && roles.Roles.ContainsKey(role))
                {
                    result.Roles.Add((role, at));
                }
            }
            foreach (var (role, values) in rule.Params)
            {
                var target = result.Params.TryGetValue(role, out var t) ? t : result.Params[role] = new(StringComparer.Ordinal);
                foreach (var (param, value) in values)
                {
                    target[param] = (value, rule.File, rule.Label);
                }
            }
        }
        foreach (var role in extraRoles)
        {
            if (!result.Roles.Any(r => r.Role == role) && roles.Roles.ContainsKey(role))
            {
                result.Roles.Add((role, new SourceSpan("nodes.yaml", 0, 0)));
            }
        }
        foreach (var (role, values) in result.Params)
        {
            if (!roles.Roles.TryGetValue(role, out var definition))
            {
                if (roles.Exists(role))
                {
                    continue;
                }
                var (value, file, source) = values.Values.First();
                errors.Add(value.At(file).Error("unknown-role", $"{source} sets params for role '{role}', which does not exist"));
                continue;
            }
            foreach (var (param, (value, file, source)) in values)
            {
                if (!definition.Params.ContainsKey(param))
                {
                    errors.Add(value.At(file).Error("unknown-param",
                        $"{source} sets '{role}.{param}' but role '{role}' has no such param{Internal.Suggest.DidYouMean(param, definition.Params.Keys)} (declared: {string.Join(", ", definition.Params.Keys)})"));
                }
            }
        }
        return (result, errors);
    }

    /// <summary>Roles in application order: each role after the roles it includes, each once.</summary>
    private static List<RoleDefinition> ExpandIncludes(RoleSet roles, List<(string Role, SourceSpan At)> direct)
    {
        var ordered = new List<RoleDefinition>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: done
        void Visit(string name)
        {
            if (state.ContainsKey(name) || !roles.Roles.TryGetValue(name, out var role))
            {
                return; // cycles are reported once by RoleSet
            }
            state[name] = false;
            foreach (var (include, _) in role.Includes)
            {
                Visit(include);
            }
            state[name] = true;
            ordered.Add(role);
        }
        foreach (var (role, _) in direct)
        {
            Visit(role);
        }
        return ordered;
    }

    private static Dictionary<string, object?> BindParams(RoleDefinition role, Classification matched, string node, FactAccess facts, List<CompileError> errors)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        matched.Params.TryGetValue(role.Name, out var given);
        var defaultsScope = new EvalScope(node, facts, new Dictionary<string, object?>());
        foreach (var p in role.Params.Values)
        {
            if (given is not null && given.TryGetValue(p.Name, out var v))
            {
                if (RoleParser.TypeError(p.Type, v.Value) is { } problem)
                {
                    errors.Add(v.Value.At(v.File).Error("wrong-type", $"{v.Source} sets '{role.Name}.{p.Name}', which {problem} (declared at {p.At})"));
                    continue;
                }
                values[p.Name] = Convert(p.Type, v.Value, v.File, defaultsScope, errors);
            }
            else if (p.Default is not null)
            {
                values[p.Name] = Convert(p.Type, p.Default, role.File, defaultsScope, errors);
            }
            else
            {
                errors.Add(p.At.Error("missing-param",
                    $"role '{role.Name}' needs param '{p.Name}' for node '{node}' and it has no default; set it in nodes.yaml under params: {{{role.Name}: {{{p.Name}: ...}}}}"));
            }
        }
        return values;
    }

    private static object? Convert(ParamType type, YamlNode value, string file, EvalScope scope, List<CompileError> errors)
    {
        if (value is YamlScalarNode s && s.Value?.Contains("{{", StringComparison.Ordinal) == true)
        {
            var rendered = TemplateEngine.Render(s.Value, s.At(file), wholeFile: false, scope, " (in a param value; only node and facts are visible there)", errors);
            return type switch
            {
                ParamType.Int => long.TryParse(rendered, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : rendered,
                ParamType.Bool => rendered == "true",
                _ => rendered,
            };
        }
        return type == ParamType.String && value is YamlScalarNode str ? str.Value ?? "" : YamlLoader.ToValue(value);
    }

    private static IEnumerable<EvalScope> Expand(ResourceDeclaration d, RoleDefinition role, EvalScope scope, List<CompileError> errors)
    {
        if (d.Body.Get("for_each") is not { } loop)
        {
            return [scope];
        }
        var reader = new PropertyReader(d.Body, role.File, scope, new SecretResolver(null), errors, $"{d.Kind}:{d.NameNode.Value}");
        var value = reader.Value(loop, "for_each");
        switch (value)
        {
            case IEnumerable<KeyValuePair<string, object?>> map:
                return map.Select(kv => scope.WithItem(new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["key"] = kv.Key, ["value"] = kv.Value })).ToList();
            case System.Collections.IEnumerable list and not string:
                return list.Cast<object?>().Select(scope.WithItem).ToList();
            case null:
                return [];
            default:
                errors.Add(loop.At(role.File).Error("wrong-type", $"for_each must be a list or a map (e.g. \"{{{{params.admins}}}}\"), not '{EvalScope.Text(value)}'"));
                return [];
        }
    }

    private static bool Applies(ResourceDeclaration d, RoleDefinition role, EvalScope scope, List<CompileError> errors)
    {
        if (d.Body.Get("when") is not { } when)
        {
            return true;
        }
        var conditions = when is YamlSequenceNode seq ? seq.Children : [when];
        foreach (var c in conditions)
        {
            if (c is not YamlScalarNode s)
            {
                errors.Add(c.At(role.File).Error("wrong-shape", "when must be a condition such as \"facts.os.family == 'Debian'\" or a list of them (all must hold)"));
                return false;
            }
            try
            {
                if (!Condition.Evaluate(s.Value ?? "", scope))
                {
                    return false;
                }
            }
            catch (Condition.ConditionException e)
            {
                var quoted = s.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted ? 1 : 0;
                var at = s.At(role.File);
                errors.Add((at with { Column = at.Column + quoted + e.Offset }).Error("bad-condition", $"in when of {d.Kind}:{d.NameNode.Value}: {e.Message}"));
                return false;
            }
            catch (Exception e) when (e is ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                errors.Add(s.At(role.File).Error("bad-condition", $"in when of {d.Kind}:{d.NameNode.Value}: {e.Message}"));
                return false;
            }
        }
        return true;
    }

    private static Resource? Build(ResourceDeclaration d, RoleDefinition role, EvalScope scope, SecretResolver secrets,
        ResourceBuilder builder, List<CompileError> errors, out Dictionary<string, SourceSpan> references)
    {
        references = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        var reader = new PropertyReader(d.Body, role.File, scope, secrets, errors, $"{d.Kind}:{d.NameNode.Value}");
        var errorCount = errors.Count;
        var name = reader.String(d.Kind, d.NameNode);
        if (string.IsNullOrWhiteSpace(name))
        {
            if (errors.Count == errorCount)
            {
                errors.Add(d.NameNode.At(role.File).Error("wrong-shape", $"the name of this {d.Kind} is empty"));
            }
            return null;
        }
        reader.Subject = $"{d.Kind}:{name}";
        var resource = new Resource
        {
            Id = $"{d.Kind}:{name}",
            Kind = d.Kind,
            Name = name,
            Role = role.Name,
            Source = new SourceLocation { File = role.File, Line = d.At.Line, Column = d.At.Column, Role = role.Name },
            Audit = role.Audit || (reader.Bool("audit") ?? false),
            TimeoutSeconds = (uint)(reader.Long("timeout", 0, 86_400) ?? 0),
        };

        if (reader.String("ensure") is { } ensure)
        {
            var allowed = ResourceKinds.EnsureFor(d.Kind);
            if (!allowed.Contains(ensure))
            {
                errors.Add(reader.At("ensure").Error("bad-ensure", $"{resource.Id}: ensure '{ensure}' is not valid for {d.Kind}; use {string.Join(" or ", allowed)}"));
            }
            resource.Ensure = ensure switch
            {
                "present" => Ensure.Present,
                "absent" => Ensure.Absent,
                "latest" => Ensure.Latest,
                "running" => Ensure.Running,
                "stopped" => Ensure.Stopped,
                _ => Ensure.Unspecified,
            };
        }

        if (d.Kind is "file" or "directory")
        {
            ResourceBuilder.CheckPath(name, reader, null);
            if (PathRules.Problem(name) is not null)
            {
                // Report at the name itself.
                errors[^1] = d.NameNode.At(role.File).Error("bad-path", errors[^1].Message);
            }
        }

        foreach (var (key, list) in new[] { ("requires", resource.Requires), ("notify", resource.Notify) })
        {
            var node = d.Body.Get(key);
            foreach (var target in reader.StringList(key))
            {
                if (!list.Contains(target))
                {
                    list.Add(target);
                    references[target] = Located(node, target, role.File);
                }
            }
        }

        builder.Fill(resource, reader);
        // secret_properties name catalog (proto) fields; a few YAML keys are spelled differently.
        resource.SecretProperties.AddRange(reader.SecretProperties.Select(ProtoName).Distinct().Order(StringComparer.Ordinal));
        return resource;
    }

    private static string ProtoName(string yamlKey) => yamlKey switch
    {
        "text" => "line",
        "restart" => "restart_policy",
        "memory" => "memory_bytes",
        "wait_timeout" => "wait_timeout_seconds",
        _ => yamlKey,
    };

    private static SourceSpan Located(YamlNode? node, string target, string file) => node switch
    {
        YamlSequenceNode seq => (seq.Children.FirstOrDefault(c => c is YamlScalarNode s && s.Value == target) ?? seq).At(file),
        null => new SourceSpan(file, 0, 0),
        _ => node.At(file),
    };
}
