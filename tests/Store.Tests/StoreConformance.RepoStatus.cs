namespace Colabo.Config.Store.Tests;

/// <summary>Conformance: the role repository status per environment.</summary>
public abstract partial class StoreConformance
{
    [Fact(Timeout = 30_000)]
    public async Task A_saved_repo_status_reads_back_with_its_compile_errors()
    {
        var status = new RepoStatusRecord
        {
            Environment = "main",
            PublishedCommit = "aaaa",
            PublishedAt = T0,
            HeadCommit = "bbbb",
            LastFetchAt = T0.AddMinutes(1),
            LastFailedCommit = "bbbb",
            Errors = [new RepoCompileError("web-1", "roles/base.yaml", 3, 7, "unknown-key", "unknown key 'contnet'"), new RepoCompileError("", "nodes.yaml", 1, 1, "yaml", "bad")],
            UpdatedAt = T0.AddMinutes(2),
        };

        await Store.SaveRepoStatusAsync(status, CancellationToken.None);

        Assert.Equal([status], await Store.ListRepoStatusesAsync(CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Saving_an_environment_again_replaces_its_status_and_leaves_the_others()
    {
        var failed = new RepoStatusRecord
        {
            Environment = "main",
            HeadCommit = "bbbb",
            LastFailedCommit = "bbbb",
            Errors = [new RepoCompileError("", "roles/x.yaml", 1, 2, "c", "m")],
            UpdatedAt = T0,
        };
        var staging = new RepoStatusRecord { Environment = "staging", PublishedCommit = "cccc", UpdatedAt = T0 };
        var fixedUp = new RepoStatusRecord { Environment = "main", PublishedCommit = "dddd", PublishedAt = T0.AddHours(1), HeadCommit = "dddd", UpdatedAt = T0.AddHours(1) };

        await Store.SaveRepoStatusAsync(failed, CancellationToken.None);
        await Store.SaveRepoStatusAsync(staging, CancellationToken.None);
        await Store.SaveRepoStatusAsync(fixedUp, CancellationToken.None);

        Assert.Equal([fixedUp, staging], await Store.ListRepoStatusesAsync(CancellationToken.None));
    }
}
