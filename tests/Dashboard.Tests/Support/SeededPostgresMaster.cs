using Colabo.Config.Master;

namespace Colabo.Config.Dashboard.Tests.Support;

/// <summary>
/// The same seeded master on PostgreSQL (tests/setup/30-postgres.sh, or $COLABO_TEST_POSTGRES), in a
/// schema of its own that is dropped afterwards: the aggregate SQL must agree on both stores.
/// </summary>
public sealed class SeededPostgresMaster : SeededMaster
{
    private readonly string _schema = "d_" + Guid.NewGuid().ToString("N")[..16];

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("COLABO_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=5432;Username=colabo_test;Password=colabo_test;Database=colabo_test;Maximum Pool Size=16";

    protected override MasterOptions Configure(MasterOptions options) => options with { Postgres = ConnectionString, PostgresSchema = _schema };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        await command.ExecuteNonQueryAsync();
    }
}
