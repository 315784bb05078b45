using System.Text.Json.Nodes;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Modules.Kubernetes.Tests.Support;

/// <summary>Objects and resources as the compiler would emit them (manifest YAML already converted to JSON).</summary>
public static class Manifests
{
    public static string Namespace(string name) =>
        new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } }.ToJsonString();

    public static string ConfigMap(string name, string? ns = null, params (string Key, string Value)[] data)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = metadata,
            ["data"] = new JsonObject([.. data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))]),
        }.ToJsonString();
    }

    public static string Secret(string name, string ns, string key, string value) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["stringData"] = new JsonObject { [key] = value },
    }.ToJsonString();

    public static string Deployment(string name, string ns, int replicas, string image = "nginx:1.27") => new JsonObject
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = name, ["image"] = image }),
                },
            },
        },
    }.ToJsonString();

    public static Resource Resource(string name, string kubeconfig, params string[] objects)
    {
        var spec = new KubernetesSpec { Kubeconfig = kubeconfig, FieldManager = "colabo-test" };
        spec.Objects.AddRange(objects);
        return new Resource { Id = $"kubernetes:{name}", Kind = "kubernetes", Name = name, Kubernetes = spec };
    }
}
