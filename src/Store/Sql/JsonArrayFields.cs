using System.Text.Json;

namespace Colabo.Config.Store.Sql;

/// <summary>
/// Reading the fields of one JSON array in order, as the store keeps its records (node states, a run's
/// change log): a field missing at the end of a shorter array reads as absent, and fields a later
/// version appends are skipped.
/// </summary>
internal static class JsonArrayFields
{
    /// <summary>Moves to the array's next field; false when the array has ended.</summary>
    public static bool Next(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.EndArray && reader.Read() && reader.TokenType != JsonTokenType.EndArray;

    /// <summary>The next field when it is a string, else empty.</summary>
    public static string Text(ref Utf8JsonReader reader) =>
        Next(ref reader) && reader.TokenType == JsonTokenType.String ? reader.GetString()! : "";

    /// <summary>The next field when it is a number, else null.</summary>
    public static long? Number(ref Utf8JsonReader reader) =>
        Next(ref reader) && reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : null;

    /// <summary>Skips the fields left in the array, up to its end.</summary>
    public static void SkipRest(ref Utf8JsonReader reader)
    {
        while (reader.TokenType != JsonTokenType.EndArray && reader.Read())
        {
            reader.Skip();
        }
    }
}
