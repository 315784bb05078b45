using System.CommandLine;
using Colabo.Config.Compiler;
using Colabo.Config.Compiler.Repository;

namespace Colabo.Config.Cli.Commands;

/// <summary>Options and loaders shared by the offline commands (validate, plan, diff).</summary>
internal static class OfflineInputs
{
    public static Option<string> Format() => new Option<string>("--format")
    {
        Description = "Output format: text (readable) or json (for scripts and CI)",
        DefaultValueFactory = _ => "text",
    }.AcceptOnlyFromAmong("text", "json");

    public static Option<string> Repo() => new("--repo")
    {
        Description = "Path of the role repository (a git working copy or a plain directory)",
        DefaultValueFactory = _ => ".",
    };

    public static Option<FileInfo> Facts() => new("--facts")
    {
        Description = "Facts of the node, as YAML or JSON (e.g. facts/NODE.yaml of the repository)",
        Required = true,
    };

    public static Option<FileInfo?> Secrets() => new("--secrets")
    {
        Description = "YAML or JSON map of secret names to values; without it secrets compile to placeholders",
    };

    /// <summary>A commit snapshot when <paramref name="reference"/> is given, else the directory as it is on disk.</summary>
    public static async Task<RepositorySnapshot> SnapshotAsync(string repo, string? reference, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(repo))
        {
            throw new InputException($"role repository '{repo}' does not exist");
        }
        if (reference is null)
        {
            return RepositorySnapshot.FromDirectory(repo);
        }
        try
        {
            var repository = await RoleRepository.OpenAsync(repo, cancellationToken);
            return await repository.SnapshotAsync(reference, cancellationToken);
        }
        catch (RoleRepositoryException e)
        {
            throw new InputException(e.Message);
        }
    }

    public static Facts LoadFacts(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new InputException($"facts file '{file.FullName}' does not exist");
        }
        try
        {
            return Compiler.Facts.Parse(File.ReadAllText(file.FullName), file.FullName);
        }
        catch (FormatException e)
        {
            throw new InputException(e.Message);
        }
    }

    public static Dictionary<string, string>? LoadSecrets(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }
        if (!file.Exists)
        {
            throw new InputException($"secrets file '{file.FullName}' does not exist");
        }
        var facts = LoadFacts(file); // same YAML/JSON map reader
        return facts.Root.ToDictionary(kv => kv.Key, kv => kv.Value switch { bool b => b ? "true" : "false", IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture), var v => v?.ToString() ?? "" }, StringComparer.Ordinal);
    }
}
