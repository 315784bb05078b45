using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Security;
using Colabo.Config.Store;
using Colabo.Config.Store.Sqlite;

namespace Colabo.Config.Master.Tests.Support;

/// <summary>The master's domain over a real SQLite store in a temporary data dir, with a manual clock.</summary>
public sealed class DomainHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private DomainHarness(MasterPaths paths, IConfigStore store, ManualTime time, MasterKeyring keyring, RevocationList revocations, SecretCipher cipher)
    {
        Paths = paths;
        Store = store;
        Time = time;
        Keyring = keyring;
        Revocations = revocations;
        Enrollment = new Enrollment(store, keyring.Ca, revocations, time, new EnrollmentOptions());
        Catalogs = new CatalogArchive(store, cipher);
        Nodes = new NodeDirectory(store, Catalogs, time);
    }

    public MasterPaths Paths { get; }
    public IConfigStore Store { get; }
    public ManualTime Time { get; }
    public MasterKeyring Keyring { get; }
    public RevocationList Revocations { get; }
    public Enrollment Enrollment { get; }
    public CatalogArchive Catalogs { get; }
    public NodeDirectory Nodes { get; }

    public static async Task<DomainHarness> StartAsync(string? dataDir = null)
    {
        var paths = new MasterPaths(dataDir ?? Directory.CreateTempSubdirectory("colabo-master-").FullName);
        var time = new ManualTime(Start);
        var store = new SqliteConfigStore(paths.SqliteDatabase);
        await store.InitializeAsync(CancellationToken.None);
        var cipher = SecretCipher.FromKeyFile(paths.SecretsKey);
        var keyring = await MasterKeyring.LoadOrCreateAsync(paths, store, cipher, ["localhost", "127.0.0.1"], time, CancellationToken.None);
        var revocations = await RevocationList.LoadAsync(store, CancellationToken.None);
        return new DomainHarness(paths, store, time, keyring, revocations, cipher);
    }

    /// <summary>Creates a one-time token and enrolls a node with it.</summary>
    public async Task<EnrollmentResult> EnrollAsync(string name, params string[] roles)
    {
        var token = await Enrollment.CreateTokenAsync(new TokenRequest { Roles = roles }, "test", CancellationToken.None);
        return await Enrollment.EnrollAsync(token.Secret, Csr.New(), name, "{}", CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        Nodes.Dispose();
        Revocations.Dispose();
        Keyring.Dispose();
        await Store.DisposeAsync();
    }
}
