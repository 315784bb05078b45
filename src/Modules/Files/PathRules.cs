using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Files;

/// <summary>Validation shared by the path-based modules.</summary>
internal static class PathRules
{
    /// <summary>Null when <paramref name="path"/> is absolute, normalized and not "/"; otherwise why not.</summary>
    public static string? Check(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "path is required";
        }

        if (!path.StartsWith('/'))
        {
            return $"path '{path}' must be absolute";
        }

        if (path == "/")
        {
            return "path must not be '/'";
        }

        var segments = path[1..].Split('/');
        if (path.EndsWith('/') || path.Contains('\0', StringComparison.Ordinal) || segments.Any(s => s is "" or "." or ".."))
        {
            return $"path '{path}' must be normalized (no '.', '..', '//' or trailing '/')";
        }

        return null;
    }

    /// <summary>
    /// The checks every file-like resource shares: the path, an ensure of present or absent, and the
    /// owner, group and mode. <paramref name="kind"/> names the resource in messages ("a file").
    /// </summary>
    public static List<string> CheckFileLike(string path, Ensure ensure, string kind, string owner, string group, string mode)
    {
        var errors = new List<string>();
        if (Check(path) is { } pathError)
        {
            errors.Add(pathError);
        }

        if (ensure is not (Ensure.Unspecified or Ensure.Present or Ensure.Absent))
        {
            errors.Add($"ensure '{ensure}' does not apply to {kind} (present or absent)");
        }

        errors.AddRange(Ownership.Validate(owner, group, mode));
        return errors;
    }
}
