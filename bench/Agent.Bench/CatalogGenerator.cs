using System.Globalization;
using System.Text;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Bench;

/// <summary>
/// The benchmark catalog of issue 4: N files of ~1 KiB in 50 directories, one line in a config file,
/// and (with system resources) 20 users with one ssh key each and 3 packages already installed.
/// Deterministic: the same arguments give the same catalog.
/// </summary>
internal static class CatalogGenerator
{
    public const string Base = "/srv/bench";
    public const string LineFile = "/etc/bench.conf";

    public static readonly string[] Packages = ["bash", "coreutils", "dpkg"];

    public static Catalog Generate(int files, int directories, int users, bool system)
    {
        var catalog = new Catalog { Node = "bench-1", Environment = "main", Commit = new string('b', 40) };
        catalog.Roles.Add("bench");
        Add(catalog, Directory("/srv"));
        Add(catalog, Directory(Base, "directory:/srv"));
        for (var d = 0; d < directories; d++)
        {
            Add(catalog, Directory(DirectoryPath(d), "directory:" + Base));
        }

        for (var f = 0; f < files; f++)
        {
            var path = FilePath(f, directories);
            var file = new Resource
            {
                Id = "file:" + path,
                Kind = "file",
                Name = path,
                Role = "bench",
                File = new FileSpec { Path = path, Content = Content(f), Mode = "0644", Owner = "root", Group = "root" },
            };
            file.ImplicitRequires.Add("directory:" + System.IO.Path.GetDirectoryName(path));
            Add(catalog, file);
        }

        Add(catalog, new Resource
        {
            Id = "line:bench-max-connections",
            Kind = "line",
            Name = "bench-max-connections",
            Role = "bench",
            Line = new LineSpec { Path = LineFile, Line = "max_connections = 100", Match = "^max_connections\\s*=" },
        });

        if (system)
        {
            foreach (var package in Packages)
            {
                Add(catalog, new Resource { Id = "package:" + package, Kind = "package", Name = package, Role = "bench", Package = new PackageSpec { Name = package } });
            }

            for (var u = 0; u < users; u++)
            {
                var name = UserName(u);
                Add(catalog, new Resource
                {
                    Id = "user:" + name,
                    Kind = "user",
                    Name = name,
                    Role = "bench",
                    User = new UserSpec { Name = name, Uid = (uint)(2000 + u), Home = "/home/" + name, Shell = "/bin/bash", ManageHome = true },
                });
                var key = new Resource
                {
                    Id = $"ssh_authorized_key:{name}@bench",
                    Kind = "ssh_authorized_key",
                    Name = name + "@bench",
                    Role = "bench",
                    SshAuthorizedKey = new SshAuthorizedKeySpec { User = name, Type = "ssh-ed25519", Key = KeyBlob(u), Comment = name + "@bench" },
                };
                key.ImplicitRequires.Add("user:" + name);
                Add(catalog, key);
            }
        }

        return catalog;
    }

    public static string DirectoryPath(int d) => string.Create(CultureInfo.InvariantCulture, $"{Base}/d{d:D2}");

    public static string FilePath(int f, int directories) => string.Create(CultureInfo.InvariantCulture, $"{DirectoryPath(f % directories)}/f{f:D5}.conf");

    public static string UserName(int u) => string.Create(CultureInfo.InvariantCulture, $"bench{u:D2}");

    private static Resource Directory(string path, string? parent = null)
    {
        var resource = new Resource
        {
            Id = "directory:" + path,
            Kind = "directory",
            Name = path,
            Role = "bench",
            Directory = new DirectorySpec { Path = path, Mode = "0755", Owner = "root", Group = "root" },
        };
        if (parent is not null)
        {
            resource.ImplicitRequires.Add(parent);
        }

        return resource;
    }

    private static void Add(Catalog catalog, Resource resource) => catalog.Resources.Add(resource);

    /// <summary>~1 KiB of config-looking text, different per file.</summary>
    private static string Content(int f)
    {
        var text = new StringBuilder(1100);
        text.Append(CultureInfo.InvariantCulture, $"# bench file {f}\n");
        var line = 0;
        while (text.Length < 1000)
        {
            text.Append(CultureInfo.InvariantCulture, $"setting_{line:D2} = value-{(f * 7919 + line * 104729) % 1_000_003:D7}\n");
            line++;
        }

        return text.ToString();
    }

    /// <summary>A syntactically valid ssh-ed25519 public key blob (the key itself is made up).</summary>
    private static string KeyBlob(int u)
    {
        var blob = new List<byte>();
        void Field(byte[] bytes)
        {
            blob.AddRange([(byte)(bytes.Length >> 24), (byte)(bytes.Length >> 16), (byte)(bytes.Length >> 8), (byte)bytes.Length]);
            blob.AddRange(bytes);
        }

        Field("ssh-ed25519"u8.ToArray());
        Field([.. Enumerable.Range(0, 32).Select(i => (byte)((u * 31) + (i * 17)))]);
        return Convert.ToBase64String([.. blob]);
    }
}
