namespace Colabo.Config.Agent.Cli;

/// <summary>
/// A small, reflection-free reader of "--option value", "--option=value", "--flag" and positionals.
/// The command says which options take a value; anything unknown is a usage error.
/// </summary>
public sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    private ArgumentReader()
    {
    }

    /// <summary>Positional arguments in order.</summary>
    public IReadOnlyList<string> Positionals => _positionals;

    public static ArgumentReader Parse(IReadOnlyList<string> arguments, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(valueOptions);
        ArgumentNullException.ThrowIfNull(flags);
        var reader = new ArgumentReader();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument == "--")
            {
                reader._positionals.AddRange(arguments.Skip(i + 1));
                break;
            }

            if (argument is "-h" or "--help")
            {
                reader._given["--help"] = null;
            }
            else if (argument.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = argument.IndexOf('=', StringComparison.Ordinal);
                var name = equals > 0 ? argument[..equals] : argument;
                if (valueOptions.Contains(name))
                {
                    var value = equals > 0 ? argument[(equals + 1)..] : i + 1 < arguments.Count ? arguments[++i] : throw new UsageException($"{name} needs a value");
                    reader._given[name] = value;
                }
                else if (flags.Contains(name) && equals < 0)
                {
                    reader._given[name] = null;
                }
                else
                {
                    throw new UsageException($"unknown option '{argument}'");
                }
            }
            else
            {
                reader._positionals.Add(argument);
            }
        }

        return reader;
    }

    public bool Flag(string name) => _given.ContainsKey(name);

    /// <summary>The value of "--name VALUE" or "--name=VALUE"; null when absent.</summary>
    public string? Option(string name) => _given.GetValueOrDefault(name);
}
