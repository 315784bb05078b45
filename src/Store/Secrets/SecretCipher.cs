using System.Security.Cryptography;

namespace Colabo.Config.Store;

/// <summary>
/// Encrypts values at rest (secrets, the CA key when replicated) with AES-256-GCM under a key read
/// from a file. Layout: version byte (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class SecretCipher
{
    private const byte Version = 1;
    private readonly byte[] _key;

    public SecretCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("The secrets key must be 32 bytes.", nameof(key));
        }
        _key = (byte[])key.Clone();
    }

    /// <summary>Reads the key file, creating it (32 random bytes, mode 0600) when missing.</summary>
    public static SecretCipher FromKeyFile(string path)
    {
        if (!File.Exists(path))
        {
            PrivateFile.Write(path, RandomNumberGenerator.GetBytes(32), overwrite: false);
        }
        var key = File.ReadAllBytes(path);
        if (key.Length != 32)
        {
            throw new InvalidDataException($"Secrets key file {path} must hold exactly 32 bytes; it holds {key.Length}.");
        }
        return new SecretCipher(key);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[1 + 12 + 16 + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plaintext, output.AsSpan(29), output.AsSpan(13, 16));
        return output;
    }

    public byte[] Open(ReadOnlySpan<byte> sealedValue)
    {
        if (sealedValue.Length < 29 || sealedValue[0] != Version)
        {
            throw new CryptographicException("Not a value sealed by this cipher.");
        }
        var plaintext = new byte[sealedValue.Length - 29];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(sealedValue.Slice(1, 12), sealedValue[29..], sealedValue.Slice(13, 16), plaintext);
        return plaintext;
    }
}
