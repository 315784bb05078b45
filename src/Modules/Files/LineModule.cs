using System.Text;
using System.Text.RegularExpressions;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Files;

/// <summary>
/// <c>line</c>: one line of a text file. Present: the exact line exists somewhere; otherwise the
/// first line matching <c>match</c> is replaced, or the line is inserted after the last line
/// matching <c>after</c> (else before the first matching <c>before</c>), else appended. Absent:
/// every line equal to <c>line</c> (or matching <c>match</c>) is removed. The file keeps its owner
/// and mode; a missing file is created (0644, root) for a present line.
/// </summary>
public sealed class LineModule : IResourceModule<LineModule.State>, IResourceLocking
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    public string Kind => "line";

    public string? LockKeyOf(Resource desired) => "path:" + desired.Line.Path;

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Line)
        {
            return [$"'{desired.Id}' has no line spec"];
        }

        var spec = desired.Line;
        var errors = new List<string>();
        if (PathRules.Check(spec.Path) is { } pathError)
        {
            errors.Add(pathError);
        }

        if (desired.Ensure is not (Ensure.Unspecified or Ensure.Present or Ensure.Absent))
        {
            errors.Add($"ensure '{desired.Ensure}' does not apply to a line (present or absent)");
        }

        if (spec.Line.Contains('\n', StringComparison.Ordinal))
        {
            errors.Add("line must be a single line (no newline)");
        }

        if (spec.Line.Length == 0 && (desired.Ensure != Ensure.Absent || spec.Match.Length == 0))
        {
            errors.Add(desired.Ensure == Ensure.Absent ? "an absent line needs line or match" : "line is required");
        }

        foreach (var (name, pattern) in new[] { ("match", spec.Match), ("after", spec.After), ("before", spec.Before) })
        {
            if (pattern.Length == 0)
            {
                continue;
            }

            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                errors.Add($"{name} '{pattern}' is not a valid regular expression: {e.Message}");
            }
        }

        return errors;
    }

    public Task<State?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Root.Resolve(desired.Line.Path);
        var status = context.Files.GetStatus(path);
        if (status is null)
        {
            return Task.FromResult<State?>(null);
        }

        if (status.Kind != FileKind.File)
        {
            throw new InvalidOperationException($"'{desired.Line.Path}' is a {Ownership.KindName(status.Kind)}, not a regular file");
        }

        return Task.FromResult<State?>(new State(status, Encoding.UTF8.GetString(context.Files.ReadAllBytes(path))));
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, State? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return Plan(desired, current?.Text).Diffs;
    }

    public Task ApplyAsync(Resource desired, State? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var hostPath = desired.Line.Path;
        var (text, _) = Plan(desired, current?.Text);
        var status = current?.Status;
        if (status is null)
        {
            var parent = Path.GetDirectoryName(hostPath)!;
            if (context.Files.GetStatus(context.Root.Resolve(parent))?.Kind != FileKind.Directory)
            {
                throw new InvalidOperationException($"cannot create '{hostPath}': the parent directory '{parent}' does not exist");
            }
        }

        context.Files.WriteFileAtomically(context.Root.Resolve(hostPath), Encoding.UTF8.GetBytes(text), status?.Uid ?? 0, status?.Gid ?? 0, status?.Mode ?? FileModes.Parse("0644"));
        return Task.CompletedTask;
    }

    /// <summary>Pure: the file text after the change, and what changes.</summary>
    internal static (string Text, IReadOnlyList<PropertyDiff> Diffs) Plan(Resource desired, string? text)
    {
        var spec = desired.Line;
        var lines = text is null or "" ? [] : text.Split('\n').ToList();
        var endsWithNewline = lines.Count > 0 && lines[^1].Length == 0;
        if (endsWithNewline)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        bool Matches(string pattern, string line) => pattern.Length > 0 && Regex.IsMatch(line, pattern, RegexOptions.CultureInvariant, RegexTimeout);

        if (desired.Ensure == Ensure.Absent)
        {
            var removed = lines.Where(l => spec.Match.Length > 0 ? Matches(spec.Match, l) : l == spec.Line).ToList();
            if (removed.Count == 0)
            {
                return (text ?? string.Empty, []);
            }

            lines.RemoveAll(l => removed.Contains(l));
            return (Join(lines, endsWithNewline), [new PropertyDiff("line", string.Join("\n", removed), null)]);
        }

        if (lines.Contains(spec.Line))
        {
            return (text!, []);
        }

        string? replaced = null;
        var matched = spec.Match.Length > 0 ? lines.FindIndex(l => Matches(spec.Match, l)) : -1;
        if (matched >= 0)
        {
            replaced = lines[matched];
            lines[matched] = spec.Line;
        }
        else if (spec.After.Length > 0 && lines.FindLastIndex(l => Matches(spec.After, l)) is var after and >= 0)
        {
            lines.Insert(after + 1, spec.Line);
        }
        else if (spec.Before.Length > 0 && lines.FindIndex(l => Matches(spec.Before, l)) is var before and >= 0)
        {
            lines.Insert(before, spec.Line);
        }
        else
        {
            lines.Add(spec.Line);
        }

        return (Join(lines, trailingNewline: true), [new PropertyDiff("line", replaced, spec.Line)]);
    }

    private static string Join(List<string> lines, bool trailingNewline) =>
        lines.Count == 0 ? string.Empty : string.Join('\n', lines) + (trailingNewline ? "\n" : string.Empty);

    /// <summary>The file as it is.</summary>
    public sealed record State(FileStatus Status, string Text);
}
