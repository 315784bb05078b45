using System.Security.Cryptography;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Compiler.Compilation;

/// <summary>
/// "sha256:hex" over the protobuf encoding of the catalog with content_hash and compiled_at
/// cleared. Encoding is canonical because the compiler inserts every map field in sorted key order
/// and keeps every list in a defined order.
/// </summary>
public static class CatalogHasher
{
    public static string Compute(Catalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // Clear and restore instead of cloning: a 500-resource clone costs more than the hash.
        var (hash, compiledAt) = (catalog.ContentHash, catalog.CompiledAt);
        catalog.ContentHash = "";
        catalog.CompiledAt = null;
        try
        {
            return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(catalog.ToByteArray()));
        }
        finally
        {
            catalog.ContentHash = hash;
            catalog.CompiledAt = compiledAt;
        }
    }
}
