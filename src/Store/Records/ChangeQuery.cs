namespace Colabo.Config.Store;

/// <summary>A filter over the change log. Globs use <c>*</c> and <c>?</c>.</summary>
public sealed record ChangeQuery
{
    public string? NodeGlob { get; init; }
    public string? Role { get; init; }
    public string? ResourceGlob { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    /// <summary>Only these classes; empty means all.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];
    public int Limit { get; init; } = 1000;
}
