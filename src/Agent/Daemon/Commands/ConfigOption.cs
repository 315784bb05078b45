using Colabo.Config.Agent.Cli;
using Colabo.Config.Agent.Daemon.Configuration;

namespace Colabo.Config.Agent.Daemon.Commands;

/// <summary>"--config FILE" (default /etc/colabo/agent.yaml) and "--root DIR", shared by the daemon commands.</summary>
internal static class ConfigOption
{
    /// <summary>Loads the configuration; a missing default file means all defaults unless <paramref name="required"/>.</summary>
    public static AgentConfig Load(ArgumentReader arguments, bool required)
    {
        var path = arguments.Option("--config");
        if (path is null && !required && !File.Exists(AgentConfig.DefaultPath))
        {
            return new AgentConfig();
        }

        var config = AgentConfigReader.Load(path ?? AgentConfig.DefaultPath);
        if (arguments.Option("--root") is { } root)
        {
            var full = Path.GetFullPath(root);
            if (!Directory.Exists(full))
            {
                throw new UsageException($"--root '{root}' is not an existing directory");
            }

            config = config with { Root = full };
        }

        return config;
    }
}
