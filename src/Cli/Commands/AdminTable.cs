using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Cli.Commands;

/// <summary>Plain aligned tables for the admin commands' default output.</summary>
internal static class AdminTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                var cell = i < row.Count ? row[i] : "";
                text.Append(i == headers.Count - 1 ? cell : cell.PadRight(widths[i] + 2));
            }
            text.Append('\n');
        }
        if (all.Count == 1)
        {
            text.Append("(none)\n");
        }
        return text.ToString();
    }

    public static string Time(Timestamp? at) =>
        at is null ? "-" : at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Enum(System.Enum value, string prefix)
    {
        var name = value.ToString();
        return name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..].ToLowerInvariant() : name.ToLowerInvariant();
    }

    public static string Short(string hash) => hash.Length > 19 ? hash[..19] : hash;
}
