using System.Text.RegularExpressions;

namespace Colabo.Config.Modules.Accounts;

/// <summary>What shadow-utils accept as a user or group name (Debian's default NAME_REGEX, at most 32 characters).</summary>
internal static partial class AccountNames
{
    public static bool IsValid(string name) => name.Length is > 0 and <= 32 && Pattern().IsMatch(name);

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]*\$?$")]
    private static partial Regex Pattern();
}
