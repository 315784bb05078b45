using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Colabo.Config.Compiler.Display;

/// <summary>
/// Flattens a resource into named properties ("ensure", "env.PORT", "objects/Deployment/demo/app")
/// for plans and diffs. Secret properties are always redacted; nothing here can leak a secret.
/// </summary>
public static class CatalogProperties
{
    public static IReadOnlyList<ResourceProperty> Flatten(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var secret = resource.SecretProperties.ToHashSet(StringComparer.Ordinal);
        var list = new List<ResourceProperty>();
        void Add(string name, string value)
        {
            var isSecret = secret.Contains(name) || secret.Any(s => name.StartsWith(s + ".", StringComparison.Ordinal));
            list.Add(new ResourceProperty(name, isSecret ? ResourceProperty.Redacted : value, isSecret));
        }

        Add("ensure", EnsureText(resource));
        if (resource.Requires.Count > 0)
        {
            Add("requires", string.Join(", ", resource.Requires));
        }
        if (resource.ImplicitRequires.Count > 0)
        {
            Add("implicit_requires", string.Join(", ", resource.ImplicitRequires));
        }
        if (resource.Notify.Count > 0)
        {
            Add("notify", string.Join(", ", resource.Notify));
        }
        if (resource.Audit)
        {
            Add("audit", "true");
        }
        if (resource.TimeoutSeconds > 0)
        {
            Add("timeout", resource.TimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        }
        if (resource.SpecCase == Resource.SpecOneofCase.Kubernetes)
        {
            FlattenKubernetes(resource.Kubernetes, Add);
        }
        else if (Spec(resource) is { } spec)
        {
            // The spec's name/path repeats the resource name; show it only when it differs.
            FlattenMessage("", spec, (name, value) =>
            {
                if (!(name is "name" or "path" && value == resource.Name))
                {
                    Add(name, value);
                }
            });
        }
        return list;
    }

    public static string EnsureText(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Ensure switch
        {
            Ensure.Absent => "absent",
            Ensure.Latest => "latest",
            Ensure.Running => "running",
            Ensure.Stopped => "stopped",
            Ensure.Present => "present",
            _ => resource.Kind is "service" or "docker_container" ? "running" : "present",
        };
    }

    private static IMessage? Spec(Resource r)
    {
        var field = Resource.Descriptor.Oneofs.First(o => o.Name == "spec").Accessor.GetCaseFieldDescriptor(r);
        return field?.Accessor.GetValue(r) as IMessage;
    }

    private static void FlattenMessage(string prefix, IMessage message, Action<string, string> add)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var name = prefix + field.Name;
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                var dict = (System.Collections.IDictionary)value;
                foreach (var key in dict.Keys.Cast<object>().Select(k => k.ToString()!).Order(StringComparer.Ordinal))
                {
                    add($"{name}.{key}", Scalar(dict[key]));
                }
            }
            else if (field.IsRepeated)
            {
                var items = ((System.Collections.IList)value).Cast<object>().ToList();
                if (items.Count == 0)
                {
                    continue;
                }
                if (field.FieldType == FieldType.Message)
                {
                    for (var i = 0; i < items.Count; i++)
                    {
                        var item = (IMessage)items[i];
                        if (item is ContextFile file)
                        {
                            add($"{name}/{file.Path}", $"{file.Content.Length} bytes, mode {Convert.ToString(file.Mode, 8).PadLeft(4, '0')}, {Digest(file.Content.Span)}");
                        }
                        else
                        {
                            add($"{name}[{i}]", string.Join(" ", Describe(item)));
                        }
                    }
                }
                else
                {
                    add(name, string.Join(", ", items.Select(Scalar)));
                }
            }
            else if (field.FieldType == FieldType.Message)
            {
                if (value is IMessage nested && (field.ContainingOneof is null || field.Accessor.HasValue(message)))
                {
                    FlattenMessage(name + ".", nested, add);
                }
            }
            else if (field.HasPresence ? field.Accessor.HasValue(message) : !IsDefault(value))
            {
                add(name, Scalar(value));
            }
        }
    }

    private static IEnumerable<string> Describe(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (!IsDefault(value))
            {
                yield return $"{field.Name}={Scalar(value)}";
            }
        }
    }

    private static void FlattenKubernetes(KubernetesSpec spec, Action<string, string> add)
    {
        var copy = spec.Clone();
        copy.Objects.Clear();
        FlattenMessage("", copy, add);
        foreach (var json in spec.Objects)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var kind = root.TryGetProperty("kind", out var k) ? k.GetString() : "?";
            var meta = root.TryGetProperty("metadata", out var m) ? m : default;
            var ns = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("namespace", out var n) ? n.GetString() : spec.Namespace;
            var name = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("name", out var nm) ? nm.GetString() : "?";
            add($"objects/{kind}/{(string.IsNullOrEmpty(ns) ? "" : ns + "/")}{name}", json);
        }
    }

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        bool b => !b,
        ByteString bs => bs.IsEmpty,
        int i => i == 0,
        uint u => u == 0,
        long l => l == 0,
        ulong ul => ul == 0,
        double d => d == 0,
        float f => f == 0,
        Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture) == 0,
        _ => false,
    };

    private static string Scalar(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        ByteString bs => $"{bs.Length} bytes, {Digest(bs.Span)}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
}
