using Colabo.Config.Store.Postgres;

namespace Colabo.Config.Store.Tests;

/// <summary>
/// Where the PostgreSQL of tests/setup/30-postgres.sh is: $COLABO_TEST_POSTGRES or the well-known
/// default. Each test gets its own schema, so tests are isolated and may run in parallel.
/// </summary>
public static class TestPostgres
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=colabo_test;Password=colabo_test;Database=colabo_test;Maximum Pool Size=8";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("COLABO_TEST_POSTGRES") is { Length: > 0 } value ? value : DefaultConnectionString;

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..16];

    public static async Task DropSchemaAsync(string schema)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs SQL with <paramref name="schema"/> as the search path, as the store does.</summary>
    public static async Task ExecuteAsync(string schema, string sql)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema };
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(builder.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query run with <paramref name="schema"/> as the search path.</summary>
    public static async Task<T> ScalarAsync<T>(string schema, string sql)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema };
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(builder.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static PostgresStoreOptions Options(string schema) => new() { ConnectionString = ConnectionString, Schema = schema };
}
