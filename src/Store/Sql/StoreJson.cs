using System.Text.Json.Serialization;

namespace Colabo.Config.Store.Sql;

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StoreJson : JsonSerializerContext;
