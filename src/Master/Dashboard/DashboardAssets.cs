using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Colabo.Config.Master.Dashboard;

/// <summary>
/// The built web dashboard (web/dist, embedded into colabo-master at build time) served at <c>/ui/</c>;
/// <c>/</c> redirects there. The files hold no data: everything the pages show comes from
/// <c>/api/v1/dashboard/...</c> with the signed-in token. A strict Content-Security-Policy allows only
/// this origin's scripts, styles and API, and no framing.
/// </summary>
public sealed class DashboardAssets
{
    public const string ResourcePrefix = "dashboard/";

    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private readonly Dictionary<string, (byte[] Body, string Type, string ETag)> _files;

    private DashboardAssets(Dictionary<string, (byte[] Body, string Type, string ETag)> files) => _files = files;

    /// <summary>False when the master was built without web/dist (see docs/dashboard.md).</summary>
    public bool IsBuilt => _files.ContainsKey("index.html");

    public IReadOnlyCollection<string> Files => _files.Keys;

    public static DashboardAssets FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var body = buffer.ToArray();
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            files[path] = (body, ContentType(path), "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "\"");
        }
        return new DashboardAssets(files);
    }

    public void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Redirect("/ui/"));
        app.MapGet("/ui/{**path}", (HttpContext http, string? path) => Serve(http, string.IsNullOrEmpty(path) ? "index.html" : path));
    }

    private Task Serve(HttpContext http, string path)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = Policy;
        if (!_files.TryGetValue(path, out var file))
        {
            http.Response.StatusCode = 404;
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync(IsBuilt
                ? $"No dashboard file {path}."
                : "This colabo-master was built without the web dashboard: run web/build.sh (needs npm), then build the master again.", http.RequestAborted);
        }
        // Hashed asset names never change content; index.html must be revalidated to pick up a new build.
        headers.CacheControl = path.StartsWith("assets/", StringComparison.Ordinal) ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = file.ETag;
        if (http.Request.Headers.IfNoneMatch == file.ETag)
        {
            http.Response.StatusCode = 304;
            return Task.CompletedTask;
        }
        http.Response.ContentType = file.Type;
        http.Response.ContentLength = file.Body.Length;
        return http.Response.Body.WriteAsync(file.Body, http.RequestAborted).AsTask();
    }

    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        ".woff2" => "font/woff2",
        _ => "application/octet-stream",
    };
}
