using System.Text;
using Colabo.Config.Store.Sql;

namespace Colabo.Config.Store.Tests.Sql;

public sealed class NodeStatesJsonTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static List<ResourceStateRecord> Read(string json) => NodeStatesJson.Read("web-1", Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_resource_written_twice_keeps_its_later_state_and_states_read_back_in_resource_order()
    {
        var first = new ResourceStateRecord { Node = "web-1", ResourceId = "package:nginx", Status = "failed", UpdatedAt = T0 };
        var later = first with { Status = "in_sync", UpdatedAt = T0.AddMinutes(1) };
        var motd = new ResourceStateRecord { Node = "web-1", ResourceId = "file:/etc/motd", Kind = "file", LastChangedAt = T0 };

        var json = NodeStatesJson.Write([first, motd, later]);

        Assert.Equal([motd, later], Read(json));
    }

    [Fact]
    public void Fields_a_later_version_appends_are_skipped_and_missing_ones_read_as_empty()
    {
        var t = T0.ToUnixTimeMilliseconds();

        var states = Read($$"""
            {"b": ["file", "base", "in_sync", "", "r1", {{t}}, null, "", "d1", "sha256:c", {"new": [1, 2]}, "x"],
             "a": ["file", "base", "changed", "", "r1", {{t}}]}
            """);

        Assert.Equal(
        [
            new ResourceStateRecord { Node = "web-1", ResourceId = "a", Kind = "file", Role = "base", Status = "changed", RunId = "r1", UpdatedAt = T0 },
            new ResourceStateRecord
            {
                Node = "web-1", ResourceId = "b", Kind = "file", Role = "base", Status = "in_sync", RunId = "r1", UpdatedAt = T0, DesiredDigest = "d1", CatalogHash = "sha256:c",
            },
        ], states);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"a": "not an array"}""")]
    [InlineData("""{"a": ["file", """)]
    public void Text_that_is_not_a_states_object_is_refused_naming_the_node(string json)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(json));

        Assert.Contains("web-1", error.Message, StringComparison.Ordinal);
    }
}
