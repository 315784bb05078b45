using Colabo.Config.Agent.Daemon;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class IdleMemoryTests
{
    [Theory]
    [InlineData("7f2d5c3ab000-7f2d5c62a000 r--s 00e9e000 fe:00 11829529                   /usr/bin/colabo-agent", 0x7f2d5c3ab000UL, 0x7f2d5c62a000UL)]
    [InlineData("5614c9c10000-5614ca585000 r-xp 0128d000 fe:00 11829529 /usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0x5614c9c10000UL, 0x5614ca585000UL)]
    public void A_read_only_file_mapping_is_advised_with_its_range(string line, ulong start, ulong end)
    {
        Assert.Equal((start, end), IdleMemory.ReadOnlyFileMapping(line));
    }

    [Theory]
    [InlineData("5614ca5a4000-5614caaa4000 rw-p 01c01000 fe:00 11829529                   /usr/bin/colabo-agent")]
    [InlineData("7f2d5c000000-7f2d5c021000 rw-p 00000000 00:00 0 ")]
    [InlineData("7ffee3444000-7ffee3465000 rw-p 00000000 00:00 0                          [stack]")]
    [InlineData("7ffee34f0000-7ffee34f2000 r-xp 00000000 00:00 0                          [vdso]")]
    [InlineData("7f2192c26000-7f2192c56000 r-xs 00000000 00:01 2061                       /memfd:doublemapper (deleted)")]
    [InlineData("7f2192c26000-7f2192c56000 r--s 00000000 00:05 1033                       /dev/zero (deleted)")]
    [InlineData("7f2192c26000-7f2192c56000 r--p 00000000 fe:00 1033                       /usr/bin/colabo-agent (deleted)")]
    [InlineData("garbage")]
    public void Writable_anonymous_and_special_mappings_are_left_alone(string line)
    {
        Assert.Null(IdleMemory.ReadOnlyFileMapping(line));
    }

    [Fact]
    public void Trimming_advises_the_read_only_file_mappings_and_the_process_goes_on_working()
    {
        var advised = IdleMemory.Trim();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("still here"u8));

        Assert.True(advised > 0, "madvise(MADV_PAGEOUT) was refused for every mapping");
        Assert.Equal(64, hash.Length);
    }
}
