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
        byte[] bytes;
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"cannot read catalog '{path}': {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    public static Catalog Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (LooksLikeJson(bytes))
        {
            try
            {
                var text = bytes.AsSpan();
                return Parser.Parse<Catalog>(System.Text.Encoding.UTF8.GetString(text.StartsWith("\uFEFF"u8) ? text[3..] : text));
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
            {
                throw new InvalidDataException($"catalog '{source}' is not a valid proto3 JSON catalog: {e.Message}", e);
            }
        }

        try
        {
            return Catalog.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"catalog '{source}' is neither proto3 JSON nor a binary catalog: {e.Message}", e);
        }
    }

    private static bool LooksLikeJson(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return b == (byte)'{';
        }

        return false;
    }
}
