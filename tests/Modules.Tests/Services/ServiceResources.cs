using Colabo.Config.Contracts.V1;
using Colabo.Config.TestSupport;

namespace Colabo.Config.Modules.Tests.Services;

internal static class ServiceResources
{
    public static Resource Service(string name, Ensure ensure = Ensure.Running, bool? enabled = null, params string[] requires)
    {
        var spec = new ServiceSpec { Name = name };
        if (enabled is { } value)
        {
            spec.Enabled = value;
        }

        var resource = new Resource { Id = "service:" + name, Kind = "service", Name = name, Ensure = ensure, Service = spec };
        resource.Requires.AddRange(requires);
        return resource;
    }

    public static string UnitText(string execStart) =>
        $"[Unit]\nDescription=Colabo test unit\n\n[Service]\nExecStart={execStart}\n\n[Install]\nWantedBy=multi-user.target\n";

    public static Resource UnitFile(string name, string execStart, params string[] notify)
    {
        var resource = new Resource
        {
            Id = $"file:/etc/systemd/system/{name}.service",
            Kind = "file",
            Name = $"/etc/systemd/system/{name}.service",
            File = new FileSpec { Path = $"/etc/systemd/system/{name}.service", Content = UnitText(execStart), Mode = "0644" },
        };
        resource.Notify.AddRange(notify);
        return resource;
    }

    public static async Task<string> SystemctlAsync(this NspawnContainer container, params string[] arguments)
    {
        var (_, output, _) = await container.ExecAsync(["systemctl", .. arguments]);
        return output.Trim();
    }
}
