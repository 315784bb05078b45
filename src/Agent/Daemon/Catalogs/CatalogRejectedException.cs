namespace Colabo.Config.Agent.Daemon.Catalogs;

/// <summary>A catalog the agent will not apply: unsigned, tampered, or not for this node.</summary>
public sealed class CatalogRejectedException : Exception
{
    public CatalogRejectedException()
    {
    }

    public CatalogRejectedException(string message)
        : base(message)
    {
    }

    public CatalogRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
