using System.Globalization;

namespace Colabo.Config.Engine.Host;

/// <summary>Octal mode strings ("0644") to and from <see cref="UnixFileMode"/>.</summary>
public static class FileModes
{
    public static string Format(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>Parses "644", "0644" or "2755"; false for anything else.</summary>
    public static bool TryParse(string? text, out UnixFileMode mode)
    {
        mode = default;
        if (string.IsNullOrEmpty(text) || text.Length is < 3 or > 5)
        {
            return false;
        }

        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '7')
            {
                return false;
            }

            value = (value * 8) + (c - '0');
        }

        if (value > 0xFFF)
        {
            return false;
        }

        mode = (UnixFileMode)value;
        return true;
    }

    public static UnixFileMode Parse(string text) =>
        TryParse(text, out var mode) ? mode : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not an octal file mode like 0644"));
}
