using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Tests.Accounts;

internal static class AccountResources
{
    public static Resource User(string name, Action<UserSpec>? configure = null, Ensure ensure = Ensure.Present)
    {
        var spec = new UserSpec { Name = name };
        configure?.Invoke(spec);
        return new Resource { Id = "user:" + name, Kind = "user", Name = name, Ensure = ensure, User = spec };
    }

    public static Resource Group(string name, uint? gid = null, bool system = false, Ensure ensure = Ensure.Present)
    {
        var spec = new GroupSpec { Name = name, System = system };
        if (gid is { } id)
        {
            spec.Gid = id;
        }

        return new Resource { Id = "group:" + name, Kind = "group", Name = name, Ensure = ensure, Group = spec };
    }

    public static Resource Requiring(this Resource resource, params string[] ids)
    {
        resource.Requires.AddRange(ids);
        return resource;
    }
}
