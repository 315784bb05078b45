using System.Text.RegularExpressions;

namespace Colabo.Config.Modules.Docker.Internal;

/// <summary>What the daemon accepts as names, checked at compile time so a bad name fails early.</summary>
internal static partial class DockerNames
{
    public static bool IsImageReference(string reference) => reference.Length is > 0 and <= 255 && ImageReference().IsMatch(reference);

    public static bool IsObjectName(string name) => name.Length is > 0 and <= 128 && ObjectName().IsMatch(name);

    // [registry[:port]/]path[:tag][@digest], path components lower case.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageReference();

    // Container and network names: what `docker run --name` accepts.
    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex ObjectName();
}
