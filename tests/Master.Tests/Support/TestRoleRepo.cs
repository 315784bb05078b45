using System.Diagnostics;

namespace Colabo.Config.Master.Tests.Support;

/// <summary>A real git role repository in a temporary directory: every node gets base, app-* nodes also get app (which uses a secret).</summary>
public sealed class TestRoleRepo
{
    private TestRoleRepo(string path) => Path = path;

    public string Path { get; }

    public static async Task<TestRoleRepo> CreateAsync(string motd = "welcome v1")
    {
        var repo = new TestRoleRepo(Directory.CreateTempSubdirectory("colabo-roles-").FullName);
        await repo.GitAsync("init", "--quiet", "--initial-branch=main");
        await repo.GitAsync("config", "user.email", "test@example.com");
        await repo.GitAsync("config", "user.name", "test");
        await repo.CommitAsync("initial", ("nodes.yaml", """
            classes:
              - match: {name: "*"}
                roles: [base]
              - match: {name: "app-*"}
                roles: [app]
            """), ("roles/base.yaml", Base(motd)), ("roles/app.yaml", """
            resources:
              - user: app
                password_hash: {secret: app_password}
            """));
        return repo;
    }

    public static string Base(string motd) => $$"""
        resources:
          - file: /etc/motd
            content: "{{motd}}\n"
            mode: "0644"
          - package: curl
        """;

    public async Task<string> CommitAsync(string message, params (string File, string Text)[] files)
    {
        foreach (var (file, text) in files)
        {
            var full = System.IO.Path.Combine(Path, file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, text);
        }
        await GitAsync("add", "-A");
        await GitAsync("commit", "--quiet", "-m", message);
        return (await GitAsync("rev-parse", "HEAD")).Trim();
    }

    private async Task<string> GitAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }
}
