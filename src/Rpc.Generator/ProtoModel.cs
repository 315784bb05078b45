using System.Collections.Generic;

namespace Colabo.Config.Rpc.Generator;

/// <summary>What the generator needs from one .proto file.</summary>
internal sealed class ProtoFile
{
    public string Path { get; set; } = "";

    public string Package { get; set; } = "";

    public string? CSharpNamespace { get; set; }

    /// <summary>Fully qualified proto names ("pkg.Outer.Inner") of the messages declared here, mapped to C# names.</summary>
    public List<KeyValuePair<string, string>> Messages { get; } = new();

    public List<ProtoService> Services { get; } = new();

    public List<string> Errors { get; } = new();
}

internal sealed class ProtoService
{
    public string Name { get; set; } = "";

    public List<ProtoMethod> Methods { get; } = new();
}

internal sealed class ProtoMethod
{
    public string Name { get; set; } = "";

    public string InputType { get; set; } = "";

    public string OutputType { get; set; } = "";

    public bool ClientStreaming { get; set; }

    public bool ServerStreaming { get; set; }

    public bool Idempotent { get; set; }
}
