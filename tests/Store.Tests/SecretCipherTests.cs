using System.Security.Cryptography;
using System.Text;

namespace Colabo.Config.Store.Tests;

public sealed class SecretCipherTests
{
    [Fact]
    public void A_sealed_value_opens_with_the_same_key_and_hides_the_plaintext()
    {
        var cipher = new SecretCipher(RandomNumberGenerator.GetBytes(32));

        var sealedValue = cipher.Seal("hunter2"u8);

        Assert.DoesNotContain("hunter2", Encoding.UTF8.GetString(sealedValue), StringComparison.Ordinal);
        Assert.Equal("hunter2"u8.ToArray(), cipher.Open(sealedValue));
    }

    [Fact]
    public void A_tampered_value_or_another_key_fails_to_open()
    {
        var cipher = new SecretCipher(RandomNumberGenerator.GetBytes(32));
        var sealedValue = cipher.Seal("hunter2"u8);
        var tampered = (byte[])sealedValue.Clone();
        tampered[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => cipher.Open(tampered));
        Assert.ThrowsAny<CryptographicException>(() => new SecretCipher(RandomNumberGenerator.GetBytes(32)).Open(sealedValue));
    }

    [Fact]
    public void The_key_file_is_created_once_with_owner_only_permissions()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "secrets.key");

        var first = SecretCipher.FromKeyFile(path);
        var second = SecretCipher.FromKeyFile(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("x"u8.ToArray(), second.Open(first.Seal("x"u8)));
    }

    [Theory]
    [InlineData("web-*", "web-1", true)]
    [InlineData("web-*", "db-1", false)]
    [InlineData("web-?", "web-12", false)]
    [InlineData("*", "anything", true)]
    [InlineData("a*b*c", "aXbYc", true)]
    public void Globs_match_like_a_shell(string glob, string value, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(glob, value));
}
