using System.Text.Encodings.Web;
using System.Text.Json;
using Colabo.Config.Compiler;

namespace Colabo.Config.Cli.Output;

/// <summary>Small JSON writing helpers for the --format json outputs.</summary>
internal static class Json
{
    public static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            body(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Errors(Utf8JsonWriter w, IEnumerable<CompileError> errors)
    {
        w.WriteStartArray("errors");
        foreach (var e in errors)
        {
            w.WriteStartObject();
            w.WriteString("file", e.File);
            w.WriteNumber("line", e.Line);
            w.WriteNumber("column", e.Column);
            w.WriteString("code", e.Code);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
