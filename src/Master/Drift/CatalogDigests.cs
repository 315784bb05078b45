using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Master.Drift;

/// <summary>
/// What classifying a run needs from its catalog, small enough to keep one for every node: each
/// resource's desired-state digest (the same value as <see cref="ResourceDigest.Of"/>), the properties
/// it takes from secrets and the resources it notifies. Read straight from the catalog's serialized
/// bytes, without parsing it into objects: about 2 KB for 50 resources, against about 50 KB for the
/// parsed catalog.
/// </summary>
public sealed class CatalogDigests
{
    private const int DigestSize = 32;
    private const int ResourcesField = 5;
    private const int IdField = 1;
    private const int NotifyField = 7;
    private const int RoleField = 9;
    private const int SourceField = 10;
    private const int SecretPropertiesField = 11;

    // Resource ids repeat across the catalogs of a fleet ("file:/etc/motd" on every node): one copy each.
    private const int MaxInterned = 65_536;
    private static readonly ConcurrentDictionary<string, string> s_ids = new(StringComparer.Ordinal);
    private static readonly string[] s_none = [];

    // So do whole id lists: nodes of one role set have catalogs with the same resources, and 10,000
    // catalogs of 50 resources would otherwise keep 10,000 equal arrays of 50 references.
    private const int MaxInternedLists = 4_096;
    private static readonly ConcurrentDictionary<IdList, string[]> s_idLists = new();

    private readonly string[] _ids;
    private readonly byte[] _digests;
    private readonly string[][]? _secretProperties;
    private readonly string[][]? _notify;

    private CatalogDigests(string[] ids, byte[] digests, string[][]? secretProperties, string[][]? notify)
    {
        _ids = ids;
        _digests = digests;
        _secretProperties = secretProperties;
        _notify = notify;
    }

    public int Count => _ids.Length;

    /// <summary>The digests of a parsed catalog (its serialization is the bytes it was parsed from).</summary>
    public static CatalogDigests Of(Catalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return FromBytes(catalog.ToByteArray());
    }

    /// <summary>
    /// The digests of a serialized catalog. A resource's digest is SHA-256 over its serialized fields
    /// except the declaring role and the source location, which is what serializing a copy with those
    /// two cleared gives, without making the copy. When an id appears twice, the first one counts.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a serialized catalog.</exception>
    public static CatalogDigests FromBytes(ReadOnlySpan<byte> catalog)
    {
        var found = new List<(string Id, byte[] Digest, string[] Secret, string[] Notify)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new WireReader(catalog);
        while (!reader.End)
        {
            var field = reader.Next();
            if (field.Number == ResourcesField && field.WireType == WireReader.LengthDelimited)
            {
                var resource = Read(field.Payload);
                if (seen.Add(resource.Id))
                {
                    found.Add(resource);
                }
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var ids = new string[found.Count];
        var digests = new byte[found.Count * DigestSize];
        string[][]? secret = null;
        string[][]? notify = null;
        for (var i = 0; i < found.Count; i++)
        {
            ids[i] = found[i].Id;
            found[i].Digest.CopyTo(digests, i * DigestSize);
            if (found[i].Secret.Length > 0)
            {
                secret ??= Filled(found.Count);
                secret[i] = found[i].Secret;
            }
            if (found[i].Notify.Length > 0)
            {
                notify ??= Filled(found.Count);
                notify[i] = found[i].Notify;
            }
        }
        return new CatalogDigests(Shared(ids), digests, secret, notify);
    }

    private static string[] Shared(string[] ids)
    {
        var key = new IdList(ids);
        if (s_idLists.TryGetValue(key, out var known))
        {
            return known;
        }
        return s_idLists.Count < MaxInternedLists ? s_idLists.GetOrAdd(key, ids) : ids;
    }

    /// <summary>An id list compared by content (its ids are interned, but equal text is what counts).</summary>
    private readonly struct IdList : IEquatable<IdList>
    {
        private readonly string[] _ids;
        private readonly int _hash;

        public IdList(string[] ids)
        {
            _ids = ids;
            var hash = new HashCode();
            foreach (var id in ids)
            {
                hash.Add(id, StringComparer.Ordinal);
            }
            _hash = hash.ToHashCode();
        }

        public bool Equals(IdList other) => _hash == other._hash && _ids.AsSpan().SequenceEqual(other._ids, StringComparer.Ordinal);

        public override bool Equals(object? obj) => obj is IdList other && Equals(other);

        public override int GetHashCode() => _hash;
    }

    /// <summary>The position of a resource, for the other lookups.</summary>
    public bool TryFind(string id, out int index)
    {
        index = Array.BinarySearch(_ids, id, StringComparer.Ordinal);
        return index >= 0;
    }

    /// <summary>The digest as lower-case hex, as resource states store it.</summary>
    public string Digest(int index) => Convert.ToHexStringLower(DigestBytes(index));

    /// <summary>Whether the resource's digest is <paramref name="hex"/>, without building a string.</summary>
    public bool HasDigest(int index, string? hex)
    {
        if (hex is null || hex.Length != 2 * DigestSize)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[DigestSize];
        return Convert.FromHexString(hex, bytes, out _, out var written) == OperationStatus.Done && written == DigestSize
            && bytes.SequenceEqual(DigestBytes(index));
    }

    public IReadOnlyList<string> SecretProperties(int index) => _secretProperties?[index] ?? s_none;

    public IReadOnlyList<string> Notify(int index) => _notify?[index] ?? s_none;

    private ReadOnlySpan<byte> DigestBytes(int index) => _digests.AsSpan(index * DigestSize, DigestSize);

    private static string[][] Filled(int count)
    {
        var lists = new string[count][];
        Array.Fill(lists, s_none);
        return lists;
    }

    private static (string Id, byte[] Digest, string[] Secret, string[] Notify) Read(ReadOnlySpan<byte> resource)
    {
        var id = "";
        List<string>? secret = null;
        List<string>? notify = null;
        var hashed = ArrayPool<byte>.Shared.Rent(resource.Length);
        try
        {
            var length = 0;
            var reader = new WireReader(resource);
            while (!reader.End)
            {
                var start = reader.Position;
                var field = reader.Next();
                switch (field.Number)
                {
                    case RoleField or SourceField:
                        continue;
                    case IdField when field.WireType == WireReader.LengthDelimited:
                        id = Intern(Encoding.UTF8.GetString(field.Payload));
                        break;
                    case NotifyField when field.WireType == WireReader.LengthDelimited:
                        (notify ??= []).Add(Intern(Encoding.UTF8.GetString(field.Payload)));
                        break;
                    case SecretPropertiesField when field.WireType == WireReader.LengthDelimited:
                        (secret ??= []).Add(Encoding.UTF8.GetString(field.Payload));
                        break;
                }
                resource[start..reader.Position].CopyTo(hashed.AsSpan(length));
                length += reader.Position - start;
            }
            return (id, SHA256.HashData(hashed.AsSpan(0, length)), secret?.ToArray() ?? s_none, notify?.ToArray() ?? s_none);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(hashed);
        }
    }

    private static string Intern(string id)
    {
        if (s_ids.TryGetValue(id, out var known))
        {
            return known;
        }
        return s_ids.Count < MaxInterned ? s_ids.GetOrAdd(id, id) : id;
    }

    private readonly ref struct Field(int number, int wireType, ReadOnlySpan<byte> payload)
    {
        public int Number { get; } = number;

        public int WireType { get; } = wireType;

        public ReadOnlySpan<byte> Payload { get; } = payload;
    }

    /// <summary>The protobuf wire format, just enough to walk a message's fields.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        public const int LengthDelimited = 2;

        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public readonly bool End => Position >= _data.Length;

        public Field Next()
        {
            var tag = Varint();
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            if (number == 0)
            {
                throw new InvalidDataException("A catalog field has number 0.");
            }
            switch (wireType)
            {
                case 0:
                    _ = Varint();
                    return new Field(number, wireType, default);
                case 1:
                    return new Field(number, wireType, Take(8));
                case LengthDelimited:
                    var length = Varint();
                    return length > int.MaxValue
                        ? throw new InvalidDataException("A catalog field is longer than the catalog.")
                        : new Field(number, wireType, Take((int)length));
                case 5:
                    return new Field(number, wireType, Take(4));
                default:
                    throw new InvalidDataException($"A catalog field has wire type {wireType}, which catalogs do not use.");
            }
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (End)
                {
                    throw new InvalidDataException("A catalog ends inside a number.");
                }
                var b = _data[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
            throw new InvalidDataException("A catalog has a number longer than 10 bytes.");
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _data.Length - Position)
            {
                throw new InvalidDataException("A catalog field is longer than the catalog.");
            }
            var slice = _data.Slice(Position, length);
            Position += length;
            return slice;
        }
    }
}
