using System.Diagnostics;
using System.Text;

namespace Colabo.Config.Master.Bench;

/// <summary>The bench's role repository: one role "base" of 50 files, applied to every node.</summary>
internal sealed class RoleRepo(string directory)
{
    public string Directory { get; } = directory;

    public void EnsureCreated()
    {
        if (System.IO.Directory.Exists(Path.Combine(Directory, ".git")))
        {
            return;
        }
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "roles"));
        Git("init", "--quiet", "--initial-branch=main");
        Git("config", "user.email", "bench@example.com");
        Git("config", "user.name", "bench");
        File.WriteAllText(Path.Combine(Directory, "nodes.yaml"), "classes:\n  - match: {name: \"*\"}\n    roles: [base]\n");
        Commit("v1");
    }

    /// <summary>Commits a version of the role whose 50 file contents all differ from any other version's.</summary>
    public void Commit(string version)
    {
        var role = new StringBuilder("resources:\n");
        for (var i = 0; i < 50; i++)
        {
            role.Append("  - file: /etc/colabo/f").Append(i).Append("\n    content: \"").Append(version).Append(' ').Append(i).Append("\\n\"\n");
        }
        File.WriteAllText(Path.Combine(Directory, "roles", "base.yaml"), role.ToString());
        Git("add", "-A");
        Git("commit", "--quiet", "-m", version);
    }

    private void Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error.Result}");
        }
    }
}
