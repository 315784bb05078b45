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
}
