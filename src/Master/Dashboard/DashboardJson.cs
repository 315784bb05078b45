using System.Text.Json.Serialization;

namespace Colabo.Config.Master.Dashboard;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(OverviewView))]
[JsonSerializable(typeof(NodePageView))]
[JsonSerializable(typeof(NodeDetailView))]
[JsonSerializable(typeof(RunDetailView))]
[JsonSerializable(typeof(DriftView))]
[JsonSerializable(typeof(ErrorView))]
internal sealed partial class DashboardJson : JsonSerializerContext;
