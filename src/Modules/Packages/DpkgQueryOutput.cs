namespace Colabo.Config.Modules.Packages;

/// <summary>Parses <c>dpkg-query --show</c> lines "name TAB status-abbrev TAB version".</summary>
internal static class DpkgQueryOutput
{
    public static Dictionary<string, string> ParseInstalled(string output)
    {
        var installed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');

            // The second letter of the abbreviated status is the current state; 'i' is fully installed.
            // Removed-with-config ("rc") and half-installed packages count as not installed.
            if (fields.Length >= 3 && fields[1].Length >= 2 && fields[1][1] == 'i')
            {
                installed[fields[0]] = fields[2].Trim();
            }
        }

        return installed;
    }
}
