using System.Globalization;
using Colabo.Config.Compiler.Evaluation;
using Colabo.Config.Compiler.Yaml;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Compilation;

/// <summary>
/// Reads the properties of one resource mapping: renders {{templates}}, resolves
/// <c>{secret: NAME}</c>, converts to the wanted type and reports every problem with its location.
/// </summary>
internal sealed class PropertyReader
{
    private readonly YamlMappingNode _body;
    private readonly SecretResolver _secrets;

    public PropertyReader(YamlMappingNode body, string file, EvalScope scope, SecretResolver secrets, List<CompileError> errors, string subject)
    {
        _body = body;
        File = file;
        Scope = scope;
        _secrets = secrets;
        Errors = errors;
        Subject = subject;
    }

    public string File { get; }
    public EvalScope Scope { get; }
    public List<CompileError> Errors { get; }
    public string Subject { get; set; }
    public SortedSet<string> SecretProperties { get; } = new(StringComparer.Ordinal);

    public YamlNode? Node(string key) => _body.Get(key);

    public bool Has(string key) => _body.Get(key) is not null;

    public SourceSpan At(string key) => (_body.Get(key) ?? _body).At(File);

    public SourceSpan BodyAt => _body.At(File);

    public void Error(YamlNode node, string code, string message) => Errors.Add(node.At(File).Error(code, $"{Subject}: {message}"));

    /// <summary>A scalar's value: text, or the raw object when the scalar is exactly "{{path}}".</summary>
    public object? Value(YamlNode node, string property)
    {
        switch (node)
        {
            case YamlScalarNode s:
                var text = s.Value ?? "";
                if (!text.Contains("{{", StringComparison.Ordinal))
                {
                    // Raw text, so "0644" stays "0644"; typed readers parse it themselves.
                    return s.IsPlain() && text is "" or "~" or "null" ? null : text;
                }
                var single = TemplateEngine.SingleExpression().Match(text);
                if (single.Success)
                {
                    if (Scope.TryLookup(single.Groups[1].Value, out var value, out var problem))
                    {
                        return value;
                    }
                    Error(s, "template-undefined", $"undefined variable in '{property}': {problem}");
                    return null;
                }
                return TemplateEngine.Render(text, s.At(File), wholeFile: false, Scope, $" (in '{property}' of {Subject})", Errors);
            case YamlMappingNode m when m.Children.Count == 1 && m.Get("secret") is YamlScalarNode name:
                SecretProperties.Add(property);
                return _secrets.Resolve(name.Value ?? "", name.At(File), Errors);
            case YamlMappingNode m:
                var map = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in m.Children)
                {
                    var key = ((YamlScalarNode)k).Value ?? "";
                    map[key] = Value(v, $"{property}.{key}");
                }
                return map;
            case YamlSequenceNode seq:
                return seq.Children.Select((c, i) => Value(c, property)).ToList();
            default:
                return null;
        }
    }

    public string? String(string key, YamlNode? node = null)
    {
        node ??= _body.Get(key);
        if (node is null)
        {
            return null;
        }
        var value = Value(node, key);
        switch (value)
        {
            case null when node is YamlScalarNode { Value: null or "" or "~" or "null" }:
                return "";
            case null:
                return null;
            case string or bool or long or double:
                return EvalScope.Text(value);
            default:
                Error(node, "wrong-type", $"'{key}' must be a single value, not a list or mapping");
                return null;
        }
    }

    public bool? Bool(string key)
    {
        var node = _body.Get(key);
        if (node is null)
        {
            return null;
        }
        var value = Value(node, key);
        if (value is string s && s is "true" or "false")
        {
            return s == "true";
        }
        if (value is bool b)
        {
            return b;
        }
        Error(node, "wrong-type", $"'{key}' must be true or false, not '{EvalScope.Text(value)}'");
        return null;
    }

    public long? Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = _body.Get(key);
        if (node is null)
        {
            return null;
        }
        var value = Value(node, key);
        long? number = value switch
        {
            long l => l,
            string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p) => p,
            _ => null,
        };
        if (number is null || number < min || number > max)
        {
            Error(node, "wrong-type", $"'{key}' must be a whole number between {min} and {max}, not '{EvalScope.Text(value)}'");
            return null;
        }
        return number;
    }

    public double? Double(string key)
    {
        var node = _body.Get(key);
        if (node is null)
        {
            return null;
        }
        var value = Value(node, key);
        if (value is long l)
        {
            return l;
        }
        if (value is double d || (value is string s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d)))
        {
            return d;
        }
        Error(node, "wrong-type", $"'{key}' must be a number, not '{EvalScope.Text(value)}'");
        return null;
    }

    /// <summary>A list of strings; a single value counts as a list of one; "{{params.list}}" expands.</summary>
    public List<string> StringList(string key)
    {
        var node = _body.Get(key);
        var list = new List<string>();
        if (node is null)
        {
            return list;
        }
        var value = Value(node, key);
        Flatten(value, node, key, list);
        return list;
    }

    private void Flatten(object? value, YamlNode node, string key, List<string> into)
    {
        switch (value)
        {
            case null:
                break;
            case string or bool or long or double:
                into.Add(EvalScope.Text(value));
                break;
            case System.Collections.IEnumerable list and not IEnumerable<KeyValuePair<string, object?>>:
                foreach (var item in list)
                {
                    Flatten(item, node, key, into);
                }
                break;
            default:
                Error(node, "wrong-type", $"'{key}' must be a value or a list of values");
                break;
        }
    }

    /// <summary>A map of strings (env, labels, build args); "{{params.map}}" expands.</summary>
    public SortedDictionary<string, string> StringMap(string key)
    {
        var node = _body.Get(key);
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            return map;
        }
        var value = Value(node, key);
        if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (k, v) in pairs)
            {
                if (v is string or bool or long or double or null)
                {
                    map[k] = EvalScope.Text(v);
                }
                else
                {
                    Error(node, "wrong-type", $"'{key}.{k}' must be a single value");
                }
            }
        }
        else if (value is not null)
        {
            Error(node, "wrong-type", $"'{key}' must be a mapping of names to values");
        }
        return map;
    }

    /// <summary>Reads a file of the role repository named by a relative path such as "files/motd".</summary>
    public string? RepoPath(string key, string? requiredPrefix)
    {
        var path = String(key);
        if (path is null)
        {
            return null;
        }
        var node = _body.Get(key)!;
        if (path.StartsWith('/') || path.Split('/').Any(p => p is ".." or "." or ""))
        {
            Error(node, "bad-path", $"'{key}' must be a path inside the role repository such as '{requiredPrefix ?? "files"}/name', without '..'");
            return null;
        }
        return path;
    }
}
