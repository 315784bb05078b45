using Colabo.Config.Store.Sqlite;

namespace Colabo.Config.Store.Tests;

/// <summary>The conformance suite against a real SQLite file in a temporary directory.</summary>
public sealed class SqliteStoreTests : StoreConformance
{
    private readonly string _directory = Directory.CreateTempSubdirectory("colabo-store-").FullName;

    protected override async Task<IConfigStore> CreateStoreAsync()
    {
        var store = new SqliteConfigStore(Path.Combine(_directory, "master.db"));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "master.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task The_store_is_one_file_that_survives_a_restart()
    {
        await Store.UpsertNodeAsync(Node("web-1"), CancellationToken.None);
        await Store.DisposeAsync();

        await using var reopened = new SqliteConfigStore(Path.Combine(_directory, "master.db"));
        await reopened.InitializeAsync(CancellationToken.None);

        Assert.NotNull(await reopened.GetNodeAsync("web-1", CancellationToken.None));
    }
}
