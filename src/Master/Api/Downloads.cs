using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Colabo.Config.Master.Api;

/// <summary>
/// Anonymous <c>GET /downloads/FILE</c> and <c>GET /downloads/FILE.sha256</c> from the downloads
/// directory: what cloud-init fetches to install the agent (the master package ships the agent
/// package there). Only plain file names are served; the checksum is computed, not trusted from disk.
/// </summary>
public static class Downloads
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), string> Digests = new();

    public static void Map(WebApplication app, string directory)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/downloads/{file}", (string file) => Serve(directory, file));
    }

    internal static IResult Serve(string directory, string file)
    {
        var checksum = file.EndsWith(".sha256", StringComparison.Ordinal);
        var name = checksum ? file[..^".sha256".Length] : file;
        if (!IsPlainName(name))
        {
            return Results.NotFound();
        }

        var path = Path.Combine(directory, name);
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return Results.NotFound();
        }

        if (!checksum)
        {
            var type = name.EndsWith(".deb", StringComparison.Ordinal) ? "application/vnd.debian.binary-package" : "application/octet-stream";
            return Results.File(path, type, enableRangeProcessing: true);
        }

        var digest = Digests.GetOrAdd((path, info.Length, info.LastWriteTimeUtc), static key =>
        {
            using var stream = File.OpenRead(key.Path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
        return Results.Text($"{digest}  {name}\n", "text/plain");
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 255 && name[0] != '.' &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '~');
}
