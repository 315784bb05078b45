namespace Colabo.Config.Master;

/// <summary>The files of a master data dir.</summary>
public sealed record MasterPaths(string DataDir)
{
    public string CaCertificate => Path.Combine(DataDir, "ca.crt");
    public string CaKey => Path.Combine(DataDir, "ca.key");
    public string SigningCertificate => Path.Combine(DataDir, "signing.crt");
    public string SigningKey => Path.Combine(DataDir, "signing.key");
    public string ServerCertificate => Path.Combine(DataDir, "server.crt");
    public string ServerKey => Path.Combine(DataDir, "server.key");
    /// <summary>The initial admin credential: certificate, key and bearer token for `colabo --data-dir`.</summary>
    public string AdminCertificate => Path.Combine(DataDir, "admin.crt");
    public string AdminKey => Path.Combine(DataDir, "admin.key");
    public string AdminToken => Path.Combine(DataDir, "admin.token");
    /// <summary>The URL this master listens on, for `colabo --data-dir`.</summary>
    public string MasterUrl => Path.Combine(DataDir, "master.url");
    public string SecretsKey => Path.Combine(DataDir, "secrets.key");
    public string SqliteDatabase => Path.Combine(DataDir, "master.db");
    public string ReposDir => Path.Combine(DataDir, "repos");
}
