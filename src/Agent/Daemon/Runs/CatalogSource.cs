namespace Colabo.Config.Agent.Daemon.Runs;

public enum CatalogSource
{
    /// <summary>No usable catalog: the run did not converge anything.</summary>
    None,

    /// <summary>A new catalog from the master.</summary>
    Master,

    /// <summary>The master said unchanged; the verified cache was used.</summary>
    Unchanged,

    /// <summary>The master was unreachable; the verified cache was used.</summary>
    CacheOffline,
}
