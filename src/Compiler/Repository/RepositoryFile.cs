using System.Text;

namespace Colabo.Config.Compiler.Repository;

/// <summary>One blob of the snapshot; <see cref="Mode"/> is the unix permission bits (0644 or 0755).</summary>
public sealed class RepositoryFile(string path, byte[] content, uint mode)
{
    private string? _text;

    public string Path { get; } = path;
    public ReadOnlyMemory<byte> Content { get; } = content;
    public uint Mode { get; } = mode;

    public string Text => _text ??= Encoding.UTF8.GetString(Content.Span);
}
