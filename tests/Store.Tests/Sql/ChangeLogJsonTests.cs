using System.Text;
using Colabo.Config.Store.Sql;

namespace Colabo.Config.Store.Tests.Sql;

public sealed class ChangeLogJsonTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static List<ChangeRecord> Read(string json) => ChangeLogJson.Read("web-1", "r1", "sha256:run", Encoding.UTF8.GetBytes(json));

    private static ChangeRecord Change(string resourceId, DateTimeOffset at) => new()
    {
        Node = "web-1", RunId = "r1", ResourceId = resourceId, Kind = "file", Role = "base", Status = "changed", Class = "corrective",
        ChangesJson = """[{"property":"mode","before":"0644","after":"0600"}]""", At = at, CatalogHash = "sha256:run",
    };

    [Fact]
    public void Entries_round_trip_in_resource_order_with_their_times_and_a_resource_named_twice_counts_once()
    {
        var motd = Change("file:/etc/motd", T0.AddSeconds(2)) with { Message = "tab\there, quote \" and \\ and <&> 🙂" };
        var nginx = Change("package:nginx", T0) with { Kind = "package", Role = "web", Class = "intentional", ChangesJson = "[]" };
        var again = motd with { Status = "failed", At = T0.AddSeconds(9) };
        var other = Change("file:/etc/issue", T0.AddSeconds(1)) with { CatalogHash = "sha256:other" };

        var entries = ChangeLogJson.Write([nginx, motd, again, other]);

        Assert.Equal((3, T0.ToUnixTimeMilliseconds(), T0.AddSeconds(2).ToUnixTimeMilliseconds(), "sha256:run"),
            (entries.Count, entries.FirstAt, entries.LastAt, entries.CatalogHash));
        Assert.Equal([other, motd, nginx], Read(entries.Json));
    }

    [Fact]
    public void No_entries_write_an_empty_array()
    {
        var entries = ChangeLogJson.Write([]);

        Assert.Equal(("[]", 0), (entries.Json, entries.Count));
        Assert.Empty(Read(entries.Json));
    }

    [Fact]
    public void Fields_a_later_version_appends_are_skipped_and_missing_ones_read_as_empty()
    {
        var t = T0.ToUnixTimeMilliseconds();

        var changes = Read($$"""
            [["file:/b", "file", "base", "changed", "corrective", "[]", "", {{t}}, "sha256:own", {"new": [1, 2]}, "x"],
             ["file:/a", "file", "base", "failed"]]
            """);

        Assert.Equal(
        [
            new ChangeRecord
            {
                Node = "web-1", RunId = "r1", ResourceId = "file:/a", Kind = "file", Role = "base", Status = "failed",
                At = DateTimeOffset.FromUnixTimeMilliseconds(0), CatalogHash = "sha256:run",
            },
            new ChangeRecord
            {
                Node = "web-1", RunId = "r1", ResourceId = "file:/b", Kind = "file", Role = "base", Status = "changed", Class = "corrective",
                At = T0, CatalogHash = "sha256:own",
            },
        ], changes);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""["not an entry"]""")]
    [InlineData("""[["file:/a", "file", """)]
    public void Text_that_is_not_an_array_of_entries_is_refused_naming_the_run_and_node(string json)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(json));

        Assert.Contains("'r1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'web-1'", error.Message, StringComparison.Ordinal);
    }
}
