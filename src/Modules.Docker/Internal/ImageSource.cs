using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Docker.Internal;

/// <summary>What an image is made from, and a fingerprint that changes when that changes.</summary>
internal static class ImageSource
{
    /// <summary>
    /// The tarball's path, size and modification time: hashing a root filesystem tarball on every
    /// run costs too much. Null when the tarball is gone (an existing image is then left alone).
    /// </summary>
    public static string? ImportFingerprint(string realPath, string hostPath)
    {
        var info = new FileInfo(realPath);
        if (!info.Exists)
        {
            return null;
        }

        var ticks = info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hostPath}\n{info.Length}\n{ticks}")));
        return "import:" + digest[..32];
    }

    public static string BuildHash(DockerBuild build)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        Add(DockerfileName(build));
        foreach (var file in build.Context.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            Add(file.Path);
            Add(file.Mode.ToString(CultureInfo.InvariantCulture));
            hash.AppendData(BitConverter.GetBytes(file.Content.Length));
            hash.AppendData(file.Content.Span);
        }

        foreach (var (key, value) in build.BuildArgs.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Add(key);
            Add(value);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    public static string DockerfileName(DockerBuild build) => build.Dockerfile.Length == 0 ? "Dockerfile" : build.Dockerfile;

    /// <summary>Packs the build context files into the tar stream POST /build takes.</summary>
    public static MemoryStream PackContext(DockerBuild build)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var file in build.Context.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, file.Path.TrimStart('/'))
                {
                    Mode = (UnixFileMode)(file.Mode == 0 ? 0b110_100_100 : file.Mode & 0xFFF),
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    DataStream = new MemoryStream(file.Content.ToByteArray(), writable: false),
                };
                writer.WriteEntry(entry);
            }
        }

        output.Position = 0;
        return output;
    }

    /// <summary>"repo:tag" → ("repo", "tag"); a missing tag is "latest"; a registry port is not a tag.</summary>
    public static (string Repository, string Tag) SplitReference(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (reference[..at], reference[(at + 1)..]);
        }

        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }
}
