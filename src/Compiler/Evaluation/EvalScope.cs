using System.Globalization;

namespace Colabo.Config.Compiler.Evaluation;

/// <summary>What templates and conditions can see: <c>node</c>, <c>facts</c>, <c>params</c> and, in a for_each, <c>item</c>.</summary>
internal sealed class EvalScope
{
    private Dictionary<string, object?>? _context;

    public EvalScope(string node, FactAccess facts, IReadOnlyDictionary<string, object?> parameters, object? item = null, bool hasItem = false)
    {
        Node = node;
        Facts = facts;
        Params = parameters;
        Item = item;
        HasItem = hasItem;
    }

    public string Node { get; }
    public FactAccess Facts { get; }
    public IReadOnlyDictionary<string, object?> Params { get; }
    public object? Item { get; }
    public bool HasItem { get; }

    public EvalScope WithItem(object? item) => new(Node, Facts, Params, item, hasItem: true);

    /// <summary>Finds a dotted path; false with a reason when the path names nothing.</summary>
    public bool TryLookup(string path, out object? value, out string problem)
    {
        value = null;
        problem = "";
        var parts = path.Split('.');
        object? current;
        switch (parts[0])
        {
            case "node":
                current = Node;
                break;
            case "facts":
                current = Facts;
                break;
            case "params":
                current = Params;
                break;
            case "item" when HasItem:
                current = Item;
                break;
            case "item":
                problem = "'item' is only defined inside a resource with for_each";
                return false;
            default:
                problem = $"'{parts[0]}' is not defined; use node, facts.NAME, params.NAME or item";
                return false;
        }
        for (var i = 1; i < parts.Length; i++)
        {
            if (current is IReadOnlyDictionary<string, object?> map && map.TryGetValue(parts[i], out var next))
            {
                current = next;
            }
            else if (current is IDictionary<string, object?> dict && dict.TryGetValue(parts[i], out var next2))
            {
                current = next2;
            }
            else if (current is IList<object?> list && int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count)
            {
                current = list[index];
            }
            else
            {
                problem = parts[0] switch
                {
                    "params" when i == 1 => $"'{path}' is not a parameter of this role; declare it under params:",
                    "facts" => $"fact '{string.Join('.', parts[1..(i + 1)])}' is not defined for node '{Node}'",
                    _ => $"'{path}' is not defined",
                };
                return false;
            }
        }
        value = current;
        return true;
    }

    /// <summary>The object graph handed to Handlebars.</summary>
    public Dictionary<string, object?> TemplateContext => _context ??= new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["node"] = Node,
        ["facts"] = Facts,
        ["params"] = Params,
        ["item"] = Item,
    };

    public static string Text(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
