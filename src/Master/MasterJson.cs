using System.Text.Json.Serialization;
using Colabo.Config.Master.Security;

namespace Colabo.Config.Master;

[JsonSerializable(typeof(PemPair))]
[JsonSerializable(typeof(ApiTokenGrant))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MasterJson : JsonSerializerContext;
