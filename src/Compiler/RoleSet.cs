using Colabo.Config.Compiler.Classification;
using Colabo.Config.Compiler.Repository;
using Colabo.Config.Compiler.Roles;

namespace Colabo.Config.Compiler;

/// <summary>Everything parsed from one snapshot: roles by name, classification rules, parse errors.</summary>
public sealed class RoleSet
{
    private RoleSet() { }

    internal Dictionary<string, RoleDefinition> Roles { get; } = new(StringComparer.Ordinal);
    internal List<ClassificationRule> Rules { get; } = [];

    private readonly HashSet<string> _unparsable = new(StringComparer.Ordinal);

    internal bool Exists(string role) => Roles.ContainsKey(role) || _unparsable.Contains(role);

    /// <summary>Errors that do not depend on a node (YAML syntax, unknown keys, wrong types).</summary>
    public IReadOnlyList<CompileError> Errors { get; private set; } = [];

    public IEnumerable<string> RoleNames => Roles.Keys.Order(StringComparer.Ordinal);

    /// <summary>The environment (branch) a node's entry under <c>nodes:</c> names, or null.</summary>
    public string? EnvironmentOf(string node) => Rules.LastOrDefault(r => r.IsNode && r.ExactName == node)?.Environment;

    /// <summary>Node names listed explicitly under <c>nodes:</c>.</summary>
    public IEnumerable<string> ExplicitNodes => Rules.Where(r => r.IsNode).Select(r => r.ExactName!);

    internal static RoleSet Parse(RepositorySnapshot snapshot)
    {
        var set = new RoleSet();
        var errors = new List<CompileError>();
        foreach (var file in snapshot.Under("roles"))
        {
            if (!IsYaml(file.Path))
            {
                continue;
            }
            if (file.Path.Count(c => c == '/') > 1)
            {
                errors.Add(new CompileError(file.Path, 1, 1, "role-location",
                    "roles live directly under roles/ (roles/NAME.yaml); move this file up"));
                continue;
            }
            if (RoleParser.Parse(file.Path, file.Text, errors) is { } role)
            {
                set.Roles[role.Name] = role;
            }
            else
            {
                // Already reported; do not also report every reference to it as unknown.
                set._unparsable.Add(Path.GetFileNameWithoutExtension(file.Path));
            }
        }
        var classification = new List<string>();
        if (snapshot.Contains("nodes.yaml"))
        {
            classification.Add("nodes.yaml");
        }
        else if (snapshot.Contains("nodes.yml"))
        {
            classification.Add("nodes.yml");
        }
        classification.AddRange(snapshot.Under("nodes").Where(f => IsYaml(f.Path)).Select(f => f.Path));
        foreach (var path in classification)
        {
            ClassificationParser.Parse(path, snapshot.ReadText(path)!, set.Rules, errors);
        }

        foreach (var rule in set.Rules)
        {
            foreach (var (role, at) in rule.Roles)
            {
                if (!set.Exists(role))
                {
                    errors.Add(at.Error("unknown-role",
                        $"{rule.Label} names role '{role}' but there is no roles/{role}.yaml{Internal.Suggest.DidYouMean(role, set.Roles.Keys)}"));
                }
            }
        }
        foreach (var role in set.Roles.Values)
        {
            foreach (var (include, at) in role.Includes)
            {
                if (!set.Exists(include))
                {
                    errors.Add(at.Error("unknown-role",
                        $"role '{role.Name}' includes '{include}' but there is no roles/{include}.yaml{Internal.Suggest.DidYouMean(include, set.Roles.Keys)}"));
                }
            }
        }
        FindIncludeCycles(set, errors);
        set.Errors = errors;
        return set;
    }

    private static void FindIncludeCycles(RoleSet set, List<CompileError> errors)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name)
        {
            if (!set.Roles.TryGetValue(name, out var role))
            {
                return;
            }
            if (state.TryGetValue(name, out var s))
            {
                if (s == 1)
                {
                    var cycle = stack[stack.IndexOf(name)..].Append(name).ToList();
                    var key = string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal));
                    if (reported.Add(key))
                    {
                        // Locate at the include that closes the cycle.
                        var from = set.Roles[cycle[^2]];
                        var at = from.Includes.First(i => i.Role == name).At;
                        errors.Add(at.Error("include-cycle",
                            $"include cycle: {string.Join(" -> ", cycle)}; a role cannot include itself, directly or through other roles"));
                    }
                }
                return;
            }
            state[name] = 1;
            stack.Add(name);
            foreach (var (include, _) in role.Includes)
            {
                Visit(include);
            }
            stack.RemoveAt(stack.Count - 1);
            state[name] = 2;
        }
        foreach (var name in set.Roles.Keys.Order(StringComparer.Ordinal))
        {
            Visit(name);
        }
    }

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal);
}
