using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Tests.Support;

/// <summary>Builders for desired resources, the way the compiler emits them.</summary>
internal static class Samples
{
    public static Resource File(string path, string? content = null, string mode = "", string owner = "", string group = "", params string[] requires)
    {
        var spec = new FileSpec { Path = path, Mode = mode, Owner = owner, Group = group };
        if (content is not null)
        {
            spec.Content = content;
        }

        var resource = new Resource { Id = "file:" + path, Kind = "file", Name = path, File = spec };
        resource.Requires.AddRange(requires);
        return resource;
    }

    public static Resource Directory(string path, string mode = "", string owner = "", bool purge = false, IEnumerable<string>? managed = null, params string[] requires)
    {
        var spec = new DirectorySpec { Path = path, Mode = mode, Owner = owner, Purge = purge };
        spec.ManagedEntries.AddRange(managed ?? []);
        var resource = new Resource { Id = "directory:" + path, Kind = "directory", Name = path, Directory = spec };
        resource.Requires.AddRange(requires);
        return resource;
    }

    public static Resource Line(string name, string path, string line, string match = "", string after = "", string before = "")
    {
        return new Resource
        {
            Id = "line:" + name,
            Kind = "line",
            Name = name,
            Line = new LineSpec { Path = path, Line = line, Match = match, After = after, Before = before },
        };
    }

    public static Resource Exec(string name, string command, string creates = "", string unless = "", string onlyif = "", bool refreshOnly = false)
    {
        return new Resource
        {
            Id = "exec:" + name,
            Kind = "exec",
            Name = name,
            Exec = new ExecSpec { Command = command, Creates = creates, Unless = unless, Onlyif = onlyif, RefreshOnly = refreshOnly },
        };
    }

    public static Resource Absent(this Resource resource)
    {
        var copy = resource.Clone();
        copy.Ensure = Ensure.Absent;
        return copy;
    }
}
