namespace Colabo.Config.Agent.Daemon.Configuration;

/// <summary>agent.yaml cannot be used; the message names file:line:column.</summary>
public sealed class AgentConfigException : Exception
{
    public AgentConfigException()
    {
    }

    public AgentConfigException(string message)
        : base(message)
    {
    }

    public AgentConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
