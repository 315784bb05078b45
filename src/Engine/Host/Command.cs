using System.Collections.Immutable;

namespace Colabo.Config.Engine.Host;

/// <summary>An immutable description of a process to run; every <c>With*</c> returns a new value.</summary>
public sealed record Command(string FileName)
{
    public ImmutableArray<string> Arguments { get; init; } = [];

    public ImmutableDictionary<string, string?> Environment { get; init; } = ImmutableDictionary<string, string?>.Empty;

    public string? WorkingDirectory { get; init; }

    public string? StandardInput { get; init; }

    public TimeSpan? Timeout { get; init; }

    public Command WithArguments(params IEnumerable<string> arguments) => this with { Arguments = [.. arguments] };

    public Command WithEnvironment(string name, string? value) => this with { Environment = Environment.SetItem(name, value) };

    public Command WithWorkingDirectory(string? directory) => this with { WorkingDirectory = directory };

    public Command WithStandardInput(string? input) => this with { StandardInput = input };

    public Command WithTimeout(TimeSpan? timeout) => this with { Timeout = timeout };

    public override string ToString() => Arguments.IsEmpty ? FileName : $"{FileName} {string.Join(' ', Arguments)}";
}
