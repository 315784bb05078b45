using System.Text.Json.Serialization;

namespace Colabo.Config.Store.Postgres;

[JsonSerializable(typeof(ClusterEvent))]
internal sealed partial class PostgresJson : JsonSerializerContext;
