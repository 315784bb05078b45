using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Repository;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Drift;
using Google.Protobuf;
using Facts = Colabo.Config.Compiler.Facts;

namespace Colabo.Config.Master.Tests.Drift;

public sealed class CatalogDigestsTests
{
    private static string Examples
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "examples", "roles", "roles")))
                {
                    return Path.Combine(dir.FullName, "examples", "roles");
                }
            }
            throw new DirectoryNotFoundException("examples/roles");
        }
    }

    /// <summary>Every example node's catalog, as the compiler makes them: all resource kinds, secrets, notify lists.</summary>
    public static TheoryData<string> ExampleNodes() => new(Directory.GetFiles(Path.Combine(Examples, "facts"), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)).Order());

    [Theory]
    [MemberData(nameof(ExampleNodes))]
    public void Digests_read_from_the_serialized_catalog_equal_those_of_the_parsed_resources(string node)
    {
        var snapshot = RepositorySnapshot.FromDirectory(Examples);
        var facts = Facts.Parse(File.ReadAllText(Path.Combine(Examples, "facts", node + ".yaml")), node + ".yaml");
        var catalog = new CatalogCompiler().Compile(snapshot, node, facts, new Dictionary<string, string> { ["demo_app_db_password"] = "s3cret" }).Catalog;
        Assert.NotNull(catalog);
        Assert.NotEmpty(catalog.Resources);
        // What the master archives and the agent receives: the bytes, parsed again on the way back.
        var parsed = Catalog.Parser.ParseFrom(catalog.ToByteArray());

        var digests = CatalogDigests.FromBytes(catalog.ToByteArray());

        Assert.Equal(parsed.Resources.Count, digests.Count);
        foreach (var resource in parsed.Resources)
        {
            Assert.True(digests.TryFind(resource.Id, out var index), resource.Id);
            var expected = ResourceDigest.Of(resource);
            Assert.Equal(expected, digests.Digest(index));
            Assert.True(digests.HasDigest(index, expected));
            Assert.False(digests.HasDigest(index, ResourceDigest.Of(new Resource { Id = resource.Id })));
            Assert.Equal(resource.SecretProperties, digests.SecretProperties(index));
            Assert.Equal(resource.Notify, digests.Notify(index));
        }
        Assert.False(digests.TryFind("file:/not/in/the/catalog", out _));
    }

    [Fact]
    public void The_examples_exercise_secrets_and_notify_lists()
    {
        var snapshot = RepositorySnapshot.FromDirectory(Examples);
        var nodes = Directory.GetFiles(Path.Combine(Examples, "facts"), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f));
        var catalogs = nodes.Select(node => new CatalogCompiler().Compile(snapshot, node,
            Facts.Parse(File.ReadAllText(Path.Combine(Examples, "facts", node + ".yaml")), node + ".yaml"),
            new Dictionary<string, string> { ["demo_app_db_password"] = "s3cret" }).Catalog!).ToList();

        Assert.Contains(catalogs.SelectMany(c => c.Resources), r => r.Notify.Count > 0);
        Assert.Contains(catalogs.SelectMany(c => c.Resources), r => r.SecretProperties.Count > 0);
        Assert.True(catalogs.SelectMany(c => c.Resources).Select(r => r.SpecCase).Distinct().Count() >= 8);
    }

    [Fact]
    public void Role_and_source_location_do_not_count_and_the_first_of_a_repeated_id_does()
    {
        var catalog = new Catalog
        {
            Node = "n1",
            Resources =
            {
                new Resource { Id = "file:/a", Kind = "file", Role = "base", Source = new SourceLocation { File = "roles/base.yaml", Line = 3 }, File = new FileSpec { Path = "/a", Content = "one" } },
                new Resource { Id = "file:/a", Kind = "file", File = new FileSpec { Path = "/a", Content = "two" } },
            },
        };
        var digests = CatalogDigests.FromBytes(catalog.ToByteArray());

        Assert.Equal(1, digests.Count);
        Assert.True(digests.TryFind("file:/a", out var index));
        Assert.Equal(ResourceDigest.Of(new Resource { Id = "file:/a", Kind = "file", File = new FileSpec { Path = "/a", Content = "one" } }), digests.Digest(index));
    }

    [Theory]
    [InlineData(new byte[] { 0x2A, 0x05, 0x0A })] // a resource longer than the catalog
    [InlineData(new byte[] { 0x2A, 0x02, 0x0B, 0x00 })] // a group, which catalogs do not use
    [InlineData(new byte[] { 0x2A, 0x01, 0x80 })] // a resource ending inside a number
    public void Bytes_that_are_not_a_catalog_are_refused(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => CatalogDigests.FromBytes(bytes));
    }
}
