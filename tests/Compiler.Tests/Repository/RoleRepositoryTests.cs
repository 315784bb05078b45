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

    [Fact(Timeout = 60_000)]
    public async Task Snapshots_taken_while_commits_and_edits_happen_each_match_their_commit_exactly()
    {
        using var git = new GitRepo();
        git.Write("roles/r.yaml", "role: r\ndescription: v0\n");
        var commits = new List<string> { git.Commit("v0") };
        var repository = await RoleRepository.OpenAsync(git.Path);

        // Writer: keeps rewriting the working copy and committing new versions.
        var writer = Task.Run(() =>
        {
            for (var i = 1; i <= 15; i++)
            {
                git.Write("roles/r.yaml", $"role: r\ndescription: v{i}\n");
                lock (commits)
                {
                    commits.Add(git.Commit($"v{i}"));
                }
                git.Write("roles/r.yaml", "half-written: [");
            }
        });
        var snapshots = new List<(string Ref, Colabo.Config.Compiler.Repository.RepositorySnapshot Snapshot)>();
        while (!writer.IsCompleted)
        {
            string target;
            lock (commits)
            {
                target = commits[^1];
            }
            snapshots.Add((target, await repository.SnapshotAsync(target)));
        }
        await writer;

        Assert.NotEmpty(snapshots);
        foreach (var (target, snapshot) in snapshots)
        {
            var version = commits.IndexOf(target);
            Assert.Equal(target, snapshot.Commit);
            Assert.Equal($"role: r\ndescription: v{version}\n", snapshot.ReadText("roles/r.yaml"));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_mirror_sees_new_commits_of_its_source_after_a_fetch()
    {
        using var source = new GitRepo();
        source.Write("roles/base.yaml", "role: base\n");
        var first = source.Commit("first");
        var mirrorDirectory = Path.Combine(Directory.CreateTempSubdirectory("colabo-mirror-").FullName, "roles.git");
        try
        {
            var mirror = await RoleRepository.MirrorAsync(source.Path, mirrorDirectory);
            var before = await mirror.ResolveRefAsync("main");
            source.Write("roles/base.yaml", "role: base\ndescription: second\n");
            var second = source.Commit("second");

            await mirror.FetchAsync();
            var reopened = await RoleRepository.MirrorAsync(source.Path, mirrorDirectory);

            Assert.Equal(first, before);
            Assert.Equal(second, await mirror.ResolveRefAsync("main"));
            Assert.Equal(second, await reopened.ResolveRefAsync("main"));
            Assert.Contains("second", (await mirror.SnapshotAsync("main")).ReadText("roles/base.yaml"), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(mirrorDirectory)!, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Mirroring_a_source_that_does_not_exist_is_a_clear_error()
    {
        var target = Path.Combine(Path.GetTempPath(), "colabo-mirror-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<RoleRepositoryException>(() => RoleRepository.MirrorAsync("/nonexistent/roles.git", target));

        Assert.Contains("cannot clone", error.Message, StringComparison.Ordinal);
    }
}
