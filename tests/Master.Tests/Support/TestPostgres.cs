namespace Colabo.Config.Master.Tests.Support;

/// <summary>The PostgreSQL of tests/setup/30-postgres.sh ($COLABO_TEST_POSTGRES or the well-known default); a schema per test.</summary>
public static class TestPostgres
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("COLABO_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=5432;Username=colabo_test;Password=colabo_test;Database=colabo_test;Maximum Pool Size=16";

    public static string NewSchema() => "m_" + Guid.NewGuid().ToString("N")[..16];

    public static async Task DropSchemaAsync(string schema)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await command.ExecuteNonQueryAsync();
    }
}
