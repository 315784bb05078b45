using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Agent.Apply;

/// <summary>Reads a catalog file: proto3 JSON (as "colabo plan --format json" writes it) or binary protobuf.</summary>
public static class CatalogFile
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    /// <summary>Loads <paramref name="path"/> ("-" for standard input); <see cref="InvalidDataException"/> says what is wrong.</summary>
    public static async Task<Catalog> LoadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
                buffer.Position = 0;
                return Parse(buffer, "standard input");
            }

            // Streamed, not read whole: a large catalog is held in memory once, as the parsed message.
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024);
            return Parse(file, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"cannot read catalog '{path}': {e.Message}", e);
        }
    }

    public static Catalog Parse(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes ?? throw new ArgumentNullException(nameof(bytes)));
        return Parse(stream, source);
    }

    /// <summary>Parses a seekable stream holding either encoding.</summary>
    public static Catalog Parse(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var json = LooksLikeJson(stream);
        stream.Position = 0;
        if (json)
        {
            try
            {
                using var reader = new StreamReader(stream, leaveOpen: true);
                return Parser.Parse<Catalog>(reader);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
            {
                throw new InvalidDataException($"catalog '{source}' is not a valid proto3 JSON catalog: {e.Message}", e);
            }
        }

        try
        {
            return Catalog.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"catalog '{source}' is neither proto3 JSON nor a binary catalog: {e.Message}", e);
        }
    }

    private static bool LooksLikeJson(Stream stream)
    {
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            // Whitespace and a UTF-8 byte order mark may precede the object.
            if (b is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return b == '{';
        }

        return false;
    }
}
