namespace Colabo.Config.Store;

/// <summary>The role repository's status per environment (part of <see cref="IConfigStore"/>).</summary>
public interface IRepoStatusStore
{
    /// <summary>Inserts or replaces the status of <see cref="RepoStatusRecord.Environment"/>.</summary>
    Task SaveRepoStatusAsync(RepoStatusRecord status, CancellationToken cancellationToken);

    /// <summary>Every environment's status, by environment name.</summary>
    Task<IReadOnlyList<RepoStatusRecord>> ListRepoStatusesAsync(CancellationToken cancellationToken);
}
