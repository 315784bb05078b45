namespace Colabo.Config.Compiler.Compilation;

/// <summary>Host paths in a catalog are absolute and normalized: no "..", ".", "//" or trailing "/".</summary>
internal static class PathRules
{
    public static string? Problem(string path)
    {
        if (!path.StartsWith('/'))
        {
            return $"path '{path}' must be absolute (start with '/')";
        }
        if (path.Length > 1 && path.EndsWith('/'))
        {
            return $"path '{path}' must not end with '/'; write '{Normalize(path)}'";
        }
        var parts = path.Split('/')[1..];
        if (parts.Any(p => p is ".." or "." || p.Length == 0) && path != "/")
        {
            return $"path '{path}' is not normalized (no '..', '.' or '//'); write '{Normalize(path)}'";
        }
        return path.Contains('\0', StringComparison.Ordinal) ? "path contains a NUL character" : null;
    }

    private static string Normalize(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }
                continue;
            }
            stack.Add(part);
        }
        return "/" + string.Join('/', stack);
    }

    public static string? Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? (path.Length > 1 ? "/" : null) : path[..slash];
    }
}
