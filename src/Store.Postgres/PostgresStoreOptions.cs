namespace Colabo.Config.Store.Postgres;

public sealed record PostgresStoreOptions
{
    /// <summary>An Npgsql connection string, e.g. "Host=/var/run/postgresql;Database=colabo;Username=colabo".</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Schema for the tables (created when missing); null means the connection's search path.</summary>
    public string? Schema { get; init; }

    /// <summary>LISTEN/NOTIFY channel shared by the replicas; defaults to "colabo_events" (suffixed with the schema).</summary>
    public string? Channel { get; init; }
}
