namespace Colabo.Config.Store;

public sealed record CompactionResult(int RunsDeleted, int ChangesDeleted, int TokensDeleted, int CertificatesDeleted, int CatalogsDeleted);
