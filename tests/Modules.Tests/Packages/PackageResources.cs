using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Tests.Packages;

internal static class PackageResources
{
    public static Resource Package(string name, Ensure ensure = Ensure.Present, string version = "", params string[] requires)
    {
        var resource = new Resource
        {
            Id = "package:" + name,
            Kind = "package",
            Name = name,
            Ensure = ensure,
            Package = new PackageSpec { Name = name, Version = version },
        };
        resource.Requires.AddRange(requires);
        return resource;
    }
}
