using Colabo.Config.Compiler.Repository;
using Colabo.Config.Compiler.Tests.Support;

namespace Colabo.Config.Compiler.Tests.Repository;

public class RoleRepositoryTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_snapshot_holds_every_file_of_the_commit_with_its_mode()
    {
        using var git = new GitRepo();
        git.CopyFrom(TestRepo.ExamplesRoot);
        var commit = git.Commit("examples");
        var repository = await RoleRepository.OpenAsync(git.Path);

        var snapshot = await repository.SnapshotAsync("main");

        Assert.Equal(commit, snapshot.Commit);
        Assert.Equal(File.ReadAllText(Path.Combine(TestRepo.ExamplesRoot, "roles/web.yaml")), snapshot.ReadText("roles/web.yaml"));
        Assert.Equal(0x1EDu, snapshot.Find("docker/app/serve.sh")!.Mode);
        Assert.Equal(0x1A4u, snapshot.Find("docker/app/Dockerfile")!.Mode);
        Assert.True(RepositoryValidator.Validate(snapshot).Success);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_snapshot_is_unaffected_by_later_changes_to_the_working_copy()
    {
        using var git = new GitRepo();
        git.CopyFrom(TestRepo.ExamplesRoot);
        var commit = git.Commit("examples");
        var repository = await RoleRepository.OpenAsync(git.Path);
        var original = git.Read("roles/web.yaml");

        // A concurrent editor rewrites the working copy and commits on the branch meanwhile.
        git.Write("roles/web.yaml", "this: [is not valid");
        var snapshot = await repository.SnapshotAsync(commit);
        git.Commit("break web");
        git.Write("roles/web.yaml", "dirty again");

        Assert.Equal(original, snapshot.ReadText("roles/web.yaml"));
        Assert.Empty(snapshot.Roles.Errors);
        Assert.NotEqual(commit, await repository.ResolveRefAsync("main"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resolving_a_branch_tag_or_short_commit_gives_the_full_commit()
    {
        using var git = new GitRepo();
        git.Write("roles/base.yaml", "role: base\n");
        var commit = git.Commit("base");
        git.Git("tag", "v1");
        var repository = await RoleRepository.OpenAsync(git.Path);

        Assert.Equal(commit, await repository.ResolveRefAsync("main"));
        Assert.Equal(commit, await repository.ResolveRefAsync("v1"));
        Assert.Equal(commit, await repository.ResolveRefAsync(commit[..8]));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unknown_ref_or_a_directory_that_is_not_git_is_a_clear_error()
    {
        using var git = new GitRepo();
        git.Write("roles/base.yaml", "role: base\n");
        git.Commit("base");
        var repository = await RoleRepository.OpenAsync(git.Path);
        var plain = Directory.CreateTempSubdirectory("colabo-plain-");

        var unknown = await Assert.ThrowsAsync<RoleRepositoryException>(() => repository.ResolveRefAsync("no-such-branch"));
        var notGit = await Assert.ThrowsAsync<RoleRepositoryException>(() => RoleRepository.OpenAsync(plain.FullName));
        plain.Delete();

        Assert.Contains("no-such-branch", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("not a git repository", notGit.Message, StringComparison.Ordinal);
    }
}
