using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colabo.Config.Modules.Kubernetes.Tests.Support;

/// <summary>
/// A STAND-IN for a Kubernetes API server: no real one can run on this machine. An in-process
/// Kestrel over HTTPS (its own CA; bearer token or client certificate) that implements exactly the
/// subset the kubernetes module uses, following the API conventions: discovery (/api, /apis,
/// /api/v1, /apis/apps/v1), get, list by equality label selector, delete, and server-side apply
/// (PATCH application/apply-patch+yaml with fieldManager, force and dryRun=All). Apply semantics are
/// those of a single field manager: fields the manager applied before and no longer applies are
/// removed, the rest is merged (objects by key, lists whole). Deployments get a status from a
/// pretend controller that either completes rollouts at once or holds them until told.
/// The suite also drives the real kubectl against it, which holds this stand-in to a real client.
/// </summary>
public sealed class KubernetesStandIn : IAsyncDisposable
{
    public const string Token = "colabo-test-token";

    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    private static readonly (string GroupVersion, string Resource, string Kind, bool Namespaced)[] Resources =
    [
        ("v1", "namespaces", "Namespace", false),
        ("v1", "configmaps", "ConfigMap", true),
        ("v1", "secrets", "Secret", true),
        ("v1", "services", "Service", true),
        ("apps/v1", "deployments", "Deployment", true),
    ];

    private readonly Lock sync = new();
    private readonly Dictionary<string, JsonObject> objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> applied = new(StringComparer.Ordinal);
    private readonly List<string> requests = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> waiters = [];
    private readonly WebApplication app;
    private long resourceVersion = 100;
    private int mutations;

    private KubernetesStandIn(WebApplication app, TestCertificates certificates)
    {
        this.app = app;
        Certificates = certificates;
        foreach (var ns in new[] { "default", "kube-system" })
        {
            objects[Key("v1", "namespaces", null, ns)] = NewObject("v1", "Namespace", null, ns);
        }
    }

    public TestCertificates Certificates { get; }

    public Uri Server { get; private set; } = null!;

    /// <summary>When false, Deployments stay mid-rollout until <see cref="CompleteRollouts"/>.</summary>
    public bool CompleteRolloutsAtOnce { get; set; } = true;

    /// <summary>Requests that would change the cluster (not dry runs): PATCH, POST, PUT, DELETE.</summary>
    public int Mutations => Volatile.Read(ref mutations);

    /// <summary>"METHOD path?query identity" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (sync)
            {
                return [.. requests];
            }
        }
    }

    public static async Task<KubernetesStandIn> StartAsync()
    {
        var certificates = new TestCertificates();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificates.Server;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, certificates.Authority);
        })));
        var app = builder.Build();
        var standIn = new KubernetesStandIn(app, certificates);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Server = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return standIn;
    }

    /// <summary>Writes a kubeconfig for this server: token auth, or client certificate auth.</summary>
    public string WriteKubeconfig(string path, bool clientCertificate = false, string? ns = null, string token = Token)
    {
        static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
        var user = clientCertificate
            ? $"    client-certificate-data: {B64(Certificates.ClientPem)}\n    client-key-data: {B64(Certificates.ClientKeyPem)}\n"
            : $"    token: {token}\n";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: standin
              cluster:
                server: {Server.ToString().TrimEnd('/')}
                certificate-authority-data: {B64(Certificates.AuthorityPem)}
            users:
            - name: agent
              user:
            {user}contexts:
            - name: standin
              context:
                cluster: standin
                user: agent
            {(ns is null ? "" : $"    namespace: {ns}\n")}current-context: standin

            """);
        return path;
    }

    public JsonObject? Get(string groupVersion, string resource, string? ns, string name)
    {
        lock (sync)
        {
            return objects.TryGetValue(Key(groupVersion, resource, ns, name), out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    /// <summary>A barrier: completes when a request line ("METHOD path?query identity") matching <paramref name="match"/> arrives.</summary>
    public Task<string> RequestSeenAsync(Func<string, bool> match)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (sync)
        {
            waiters.Add((match, seen));
        }

        return seen.Task;
    }

    /// <summary>Marks every Deployment's rollout complete, as its controller eventually would.</summary>
    public void CompleteRollouts()
    {
        lock (sync)
        {
            foreach (var deployment in objects.Values.Where(o => o["kind"]?.GetValue<string>() == "Deployment"))
            {
                deployment["status"] = RolloutStatus(deployment, complete: true);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Certificates.Dispose();
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var identity = request.Headers.Authorization.ToString() == $"Bearer {Token}" ? "token"
            : http.Connection.ClientCertificate is { } certificate ? "cert:" + certificate.GetNameInfo(X509NameType.SimpleName, false)
            : null;
        var line = $"{request.Method} {request.Path}{request.QueryString} {identity ?? "anonymous"}";
        List<TaskCompletionSource<string>> seen;
        lock (sync)
        {
            requests.Add(line);
            seen = [.. waiters.Where(w => w.Match(line)).Select(w => w.Seen)];
            waiters.RemoveAll(w => seen.Contains(w.Seen));
        }

        seen.ForEach(s => s.TrySetResult(line));

        if (identity is null)
        {
            await StatusAsync(http, 401, "Unauthorized", "Unauthorized");
            return;
        }

        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                await JsonAsync(http, 200, new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0-colabo-standin", ["platform"] = "linux/amd64" });
                return;
            case ["api"]:
                await JsonAsync(http, 200, new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") });
                return;
            case ["apis"]:
                await JsonAsync(http, 200, GroupList());
                return;
            case ["api", var version, .. var rest]:
                await ResourceAsync(http, version, rest);
                return;
            case ["apis", var group, var version, .. var rest]:
                await ResourceAsync(http, $"{group}/{version}", rest);
                return;
            default:
                await StatusAsync(http, 404, "NotFound", $"the stand-in does not serve {request.Path}");
                return;
        }
    }

    private async Task ResourceAsync(HttpContext http, string groupVersion, string[] rest)
    {
        if (!Resources.Any(r => r.GroupVersion == groupVersion))
        {
            await StatusAsync(http, 404, "NotFound", $"the server could not find the requested resource ({groupVersion})");
            return;
        }

        (string? Ns, string Resource, string? Name)? target = rest switch
        {
            [] => null,
            [var resource] => (null, resource, null),
            ["namespaces", var name] => (null, "namespaces", name),
            [var resource, var name] => (null, resource, name),
            ["namespaces", var ns, var resource] => (ns, resource, null),
            ["namespaces", var ns, var resource, var name] => (ns, resource, name),
            _ => (null, "", null),
        };
        if (target is null)
        {
            await JsonAsync(http, 200, ResourceList(groupVersion));
            return;
        }

        var (targetNs, resourceName, objectName) = target.Value;
        var type = Resources.FirstOrDefault(r => r.GroupVersion == groupVersion && r.Resource == resourceName);
        if (type.Kind is null || (targetNs is not null && !type.Namespaced))
        {
            await StatusAsync(http, 404, "NotFound", $"the server could not find the requested resource ({http.Request.Path})");
            return;
        }

        var method = http.Request.Method;
        if (objectName is null)
        {
            if (method != "GET")
            {
                await StatusAsync(http, 405, "MethodNotAllowed", $"the stand-in does not implement {method} on collections");
                return;
            }

            await JsonAsync(http, 200, List(type, targetNs, http.Request.Query["labelSelector"].ToString()));
            return;
        }

        if (type.Namespaced && targetNs is null)
        {
            await StatusAsync(http, 404, "NotFound", $"{type.Resource} are namespaced; the path names no namespace");
            return;
        }

        switch (method)
        {
            case "GET":
                var found = Get(groupVersion, type.Resource, targetNs, objectName);
                await (found is null ? NotFoundAsync(http, type, objectName) : JsonAsync(http, 200, found));
                return;
            case "DELETE":
                Interlocked.Increment(ref mutations);
                var deleted = Delete(type, targetNs, objectName);
                await (deleted is null ? NotFoundAsync(http, type, objectName) : JsonAsync(http, 200, deleted));
                return;
            case "PATCH":
                await ApplyAsync(http, type, targetNs, objectName);
                return;
            default:
                Interlocked.Increment(ref mutations);
                await StatusAsync(http, 405, "MethodNotAllowed", $"the stand-in implements only server-side apply, not {method}");
                return;
        }
    }

    private async Task ApplyAsync(HttpContext http, (string GroupVersion, string Resource, string Kind, bool Namespaced) type, string? ns, string name)
    {
        var query = http.Request.Query;
        var dryRun = query["dryRun"].ToString() == "All";
        if (!dryRun)
        {
            Interlocked.Increment(ref mutations);
        }

        if (http.Request.ContentType?.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal) != true)
        {
            await StatusAsync(http, 415, "UnsupportedMediaType", $"the stand-in implements only server-side apply, not {http.Request.ContentType}");
            return;
        }

        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            await StatusAsync(http, 400, "BadRequest", "PATCH, application/apply-patch+yaml requires fieldManager");
            return;
        }

        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        JsonObject body;
        try
        {
            body = (text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : YamlToJson.Convert(text)) as JsonObject
                ?? throw new FormatException("not an object");
        }
        catch (Exception exception) when (exception is FormatException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException)
        {
            await StatusAsync(http, 400, "BadRequest", $"error decoding the apply body: {exception.Message}");
            return;
        }

        var bodyName = body["metadata"]?["name"]?.GetValue<string>();
        var bodyNs = body["metadata"]?["namespace"]?.GetValue<string>();
        if (body["apiVersion"]?.GetValue<string>() != type.GroupVersion || body["kind"]?.GetValue<string>() != type.Kind)
        {
            await StatusAsync(http, 400, "BadRequest", $"the body is a {body["apiVersion"]} {body["kind"]}, the path a {type.GroupVersion} {type.Kind}");
            return;
        }

        if (bodyName != name || (type.Namespaced && bodyNs is not null && bodyNs != ns))
        {
            await StatusAsync(http, 400, "BadRequest", "the name or namespace of the object does not match the request path");
            return;
        }

        int status;
        JsonObject result;
        lock (sync)
        {
            if (type.Namespaced && !objects.ContainsKey(Key("v1", "namespaces", null, ns!)))
            {
                status = 404;
                result = StatusObject(404, "NotFound", $"namespaces \"{ns}\" not found");
            }
            else
            {
                (status, result) = ApplyLocked(type, ns, name, manager, body, dryRun);
            }
        }

        await JsonAsync(http, status, result);
    }

    private (int Status, JsonObject Result) ApplyLocked((string GroupVersion, string Resource, string Kind, bool Namespaced) type, string? ns, string name, string manager, JsonObject body, bool dryRun)
    {
        var key = Key(type.GroupVersion, type.Resource, ns, name);
        var appliedKey = $"{key}|{manager}";
        objects.TryGetValue(key, out var previous);
        var result = previous is null ? NewObject(type.GroupVersion, type.Kind, type.Namespaced ? ns : null, name) : (JsonObject)previous.DeepClone();
        if (applied.TryGetValue(appliedKey, out var before))
        {
            RemoveDropped(result, before, body);
        }

        Merge(result, body);
        var metadata = (JsonObject)result["metadata"]!;
        metadata["name"] = name;
        if (type.Namespaced)
        {
            metadata["namespace"] = ns;
        }

        var changed = previous is null || !JsonNode.DeepEquals(Strip(previous), Strip(result));
        if (changed)
        {
            var generation = metadata["generation"]?.GetValue<long>() ?? 0;
            if (previous is null || !JsonNode.DeepEquals(previous["spec"], result["spec"]) || !JsonNode.DeepEquals(previous["data"], result["data"]))
            {
                metadata["generation"] = generation + 1;
            }

            metadata["resourceVersion"] = (dryRun ? resourceVersion + 1 : ++resourceVersion).ToString(CultureInfo.InvariantCulture);
            metadata["managedFields"] = new JsonArray(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Apply",
                ["apiVersion"] = type.GroupVersion,
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = new JsonObject(),
            });
            if (type.Kind == "Deployment")
            {
                result["status"] = RolloutStatus(result, CompleteRolloutsAtOnce);
            }
        }

        if (!dryRun)
        {
            objects[key] = result;
            applied[appliedKey] = (JsonObject)body.DeepClone();
        }

        return (previous is null ? 201 : 200, (JsonObject)result.DeepClone());
    }

    private JsonObject? Delete((string GroupVersion, string Resource, string Kind, bool Namespaced) type, string? ns, string name)
    {
        lock (sync)
        {
            var key = Key(type.GroupVersion, type.Resource, ns, name);
            if (!objects.Remove(key, out var removed))
            {
                return null;
            }

            foreach (var stale in applied.Keys.Where(k => k.StartsWith(key + "|", StringComparison.Ordinal)).ToList())
            {
                applied.Remove(stale);
            }

            if (type.Kind == "Namespace")
            {
                // The namespace controller removes what lived in it.
                foreach (var contained in objects.Keys.Where(k => k.Split('|')[2] == name).ToList())
                {
                    objects.Remove(contained);
                }
            }

            return removed;
        }
    }

    private JsonObject List((string GroupVersion, string Resource, string Kind, bool Namespaced) type, string? ns, string selector)
    {
        var requirements = selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseRequirement).ToList();
        var items = new JsonArray();
        lock (sync)
        {
            foreach (var (key, item) in objects.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                var parts = key.Split('|');
                if (parts[0] != type.GroupVersion || parts[1] != type.Resource || (ns is not null && parts[2] != ns))
                {
                    continue;
                }

                var labels = item["metadata"]?["labels"] as JsonObject;
                if (requirements.All(r => r(labels)))
                {
                    items.Add(item.DeepClone());
                }
            }

            return new JsonObject
            {
                ["kind"] = type.Kind + "List",
                ["apiVersion"] = type.GroupVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        }
    }

    /// <summary>Equality-based requirements: key=value, key==value, key!=value, key, !key.</summary>
    private static Func<JsonObject?, bool> ParseRequirement(string requirement)
    {
        string? Label(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();
        if (requirement.Split("!=", 2) is [var k1, var v1])
        {
            return labels => Label(labels, k1) != v1;
        }

        if (requirement.Split('=', 2) is [var k2, var v2])
        {
            var value = v2.TrimStart('=');
            return labels => Label(labels, k2) == value;
        }

        return requirement.StartsWith('!') ? labels => Label(labels, requirement[1..]) is null : labels => Label(labels, requirement) is not null;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>Removes from <paramref name="target"/> what <paramref name="before"/> set and <paramref name="now"/> no longer does.</summary>
    private static void RemoveDropped(JsonObject target, JsonObject before, JsonObject now)
    {
        foreach (var (key, value) in before.ToList())
        {
            if (!now.ContainsKey(key))
            {
                target.Remove(key);
            }
            else if (value is JsonObject beforeChild && now[key] is JsonObject nowChild && target[key] is JsonObject targetChild)
            {
                RemoveDropped(targetChild, beforeChild, nowChild);
            }
        }
    }

    private static JsonObject Strip(JsonObject source)
    {
        var copy = (JsonObject)source.DeepClone();
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("managedFields");
            metadata.Remove("generation");
        }

        copy.Remove("status");
        return copy;
    }

    private static JsonObject RolloutStatus(JsonObject deployment, bool complete)
    {
        var replicas = deployment["spec"]?["replicas"]?.GetValue<long>() ?? 1;
        var generation = deployment["metadata"]?["generation"]?.GetValue<long>() ?? 1;
        return new JsonObject
        {
            ["observedGeneration"] = generation,
            ["replicas"] = replicas,
            ["updatedReplicas"] = complete ? replicas : 0,
            ["readyReplicas"] = complete ? replicas : 0,
            ["availableReplicas"] = complete ? replicas : 0,
        };
    }

    private JsonObject NewObject(string groupVersion, string kind, string? ns, string name)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["uid"] = Guid.NewGuid().ToString(),
            ["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject { ["apiVersion"] = groupVersion, ["kind"] = kind, ["metadata"] = metadata };
    }

    private static JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var groupVersion in Resources.Select(r => r.GroupVersion).Where(g => g.Contains('/', StringComparison.Ordinal)).Distinct())
        {
            var version = new JsonObject { ["groupVersion"] = groupVersion, ["version"] = groupVersion.Split('/')[1] };
            groups.Add(new JsonObject
            {
                ["name"] = groupVersion.Split('/')[0],
                ["versions"] = new JsonArray(version.DeepClone()),
                ["preferredVersion"] = version,
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private static JsonObject ResourceList(string groupVersion) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = groupVersion,
        ["resources"] = new JsonArray([.. Resources.Where(r => r.GroupVersion == groupVersion).Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Resource,
            ["singularName"] = r.Kind.ToLowerInvariant(),
            ["namespaced"] = r.Namespaced,
            ["kind"] = r.Kind,
            ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
        })]),
    };

    private static string Key(string groupVersion, string resource, string? ns, string name) => $"{groupVersion}|{resource}|{ns}|{name}";

    private static Task NotFoundAsync(HttpContext http, (string GroupVersion, string Resource, string Kind, bool Namespaced) type, string name) =>
        StatusAsync(http, 404, "NotFound", $"{type.Resource} \"{name}\" not found");

    private static JsonObject StatusObject(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static Task StatusAsync(HttpContext http, int code, string reason, string message) => JsonAsync(http, code, StatusObject(code, reason, message));

    private static async Task JsonAsync(HttpContext http, int status, JsonObject body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }
}
