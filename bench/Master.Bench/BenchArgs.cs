using System.Globalization;

namespace Colabo.Config.Master.Bench;

/// <summary>"--name value" command-line options of the load generator and its worker processes.</summary>
internal sealed class BenchArgs(string[] args)
{
    public bool Has(string name) => Array.IndexOf(args, name) >= 0;

    public string? Text(string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public int Number(string name, int fallback) =>
        Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
