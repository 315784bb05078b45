using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Kubernetes.Internal;

namespace Colabo.Config.Modules.Kubernetes;

/// <summary>
/// <c>kubernetes</c>: applies manifests with server-side apply under a field manager. Every applied
/// object carries an owned-by label unique to this resource and field manager, so objects it
/// applied earlier and no longer declares can be pruned. Reading does a server-side dry run
/// (dryRun=All) of every object, so the diff (and hence noop) shows exactly what the server would
/// change, field by field, without changing anything. Optionally waits for Deployment rollouts.
/// </summary>
public sealed partial class KubernetesModule(KubernetesModuleOptions? options = null) : IResourceModule<KubernetesState>
{
    /// <summary>The label put on every applied object; its value identifies the resource and field manager.</summary>
    public const string OwnedByLabel = "colabo.config/owned-by";

    /// <summary>The annotation naming the catalog resource that applied an object, for people.</summary>
    public const string ResourceAnnotation = "colabo.config/resource";

    /// <summary>Kinds searched for objects to prune besides the declared ones (kubectl's prune allowlist).</summary>
    public static readonly IReadOnlyList<(string ApiVersion, string Kind)> PruneKinds =
    [
        ("v1", "ConfigMap"), ("v1", "Endpoints"), ("v1", "Namespace"), ("v1", "PersistentVolumeClaim"), ("v1", "PersistentVolume"),
        ("v1", "Pod"), ("v1", "ReplicationController"), ("v1", "Secret"), ("v1", "Service"), ("batch/v1", "Job"),
        ("batch/v1", "CronJob"), ("networking.k8s.io/v1", "Ingress"), ("apps/v1", "DaemonSet"), ("apps/v1", "Deployment"),
        ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"),
    ];

    private const int MaxFieldsPerObject = 20;

    private readonly KubernetesModuleOptions options = options ?? new KubernetesModuleOptions();

    public string Kind => "kubernetes";

    /// <summary>The owned-by label value: stable per node, field manager and resource id, valid as a label value.</summary>
    public static string OwnerId(string node, string fieldManager, string resourceId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{node}\n{fieldManager}\n{resourceId}")))[..40];

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.Kubernetes)
        {
            return [$"{desired.Id}: a kubernetes resource needs a kubernetes spec"];
        }

        var spec = desired.Kubernetes;
        var errors = new List<string>();
        if (spec.Objects.Count == 0 && !spec.Prune)
        {
            errors.Add($"{desired.Id}: no objects to apply (set prune to remove everything this resource applied before)");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Objects.Count; i++)
        {
            try
            {
                var declared = DeclaredObject.Parse(desired.Id, i, spec.Objects[i]);
                if (!DnsSubdomain().IsMatch(declared.Name))
                {
                    errors.Add($"{desired.Id}: object {i + 1} ({declared.Kind}): name '{declared.Name}' must be lower case letters, digits, '-' and '.'");
                }

                if (declared.Namespace is { } ns && !DnsLabel().IsMatch(ns))
                {
                    errors.Add($"{desired.Id}: object {i + 1} ({declared.Kind}): namespace '{ns}' is not a valid name");
                }

                if (!seen.Add($"{declared.ApiVersion}|{declared.Kind}|{declared.Namespace ?? spec.Namespace}|{declared.Name}"))
                {
                    errors.Add($"{desired.Id}: object {i + 1} ({declared.Display}) is declared twice");
                }
            }
            catch (FormatException exception)
            {
                errors.Add(exception.Message);
            }
        }

        if (spec.Namespace.Length > 0 && !DnsLabel().IsMatch(spec.Namespace))
        {
            errors.Add($"{desired.Id}: namespace '{spec.Namespace}' is not a valid name");
        }

        if (spec.FieldManager.Length > 128)
        {
            errors.Add($"{desired.Id}: field_manager is longer than 128 characters");
        }

        return errors;
    }

    public async Task<KubernetesState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.Kubernetes;
        using var client = Connect(spec, context);
        var discovery = new ApiDiscovery(client);
        var fieldManager = FieldManager(spec);
        var owner = OwnerId(options.NodeName, fieldManager, desired.Id);
        var absent = desired.Ensure == Ensure.Absent;

        var objects = new List<KubernetesObjectState>();
        foreach (var (declared, target) in await ResolveAsync(desired, client, discovery, cancellationToken))
        {
            var live = await client.GetAsync(target.Path, cancellationToken);
            JsonObject? predicted = null;
            if (!absent)
            {
                var body = Stamp(declared.Body, target, owner, desired.Id);
                try
                {
                    predicted = await client.ApplyAsync(target.Path, body, fieldManager, dryRun: true, cancellationToken);
                }
                catch (KubernetesException exception) when (live is null && exception.StatusCode == HttpStatusCode.NotFound)
                {
                    // Its namespace does not exist yet (declared earlier in this resource): it will be created as given.
                    predicted = body;
                }
            }

            var pending = !absent && spec.Wait && IsDeployment(target) && live is not null ? Rollout.Pending(live) : null;
            objects.Add(new KubernetesObjectState(target.Display, live, predicted, pending) { Ref = target });
        }

        var prunable = new List<KubernetesPrunable>();
        if (spec.Prune || absent)
        {
            var declaredPaths = objects.Select(o => o.Ref.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var found in await ListOwnedAsync(objects.Select(o => (o.Ref.ApiVersion, o.Ref.Kind)), owner, client, discovery, cancellationToken))
            {
                if (!declaredPaths.Contains(found.Path) && prunable.All(p => p.Ref.Path != found.Path))
                {
                    prunable.Add(new KubernetesPrunable(found.Display) { Ref = found });
                }
            }
        }

        return objects.All(o => o.Live is null) && prunable.Count == 0 ? null : new KubernetesState(objects, prunable);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, KubernetesState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var spec = desired.Kubernetes;
        var changes = new List<PropertyDiff>();
        if (current is null)
        {
            if (desired.Ensure != Ensure.Absent)
            {
                for (var i = 0; i < spec.Objects.Count; i++)
                {
                    changes.Add(new PropertyDiff(DeclaredObject.Parse(desired.Id, i, spec.Objects[i]).Display, "absent", "present"));
                }
            }

            return changes;
        }

        foreach (var state in current.Objects)
        {
            if (desired.Ensure == Ensure.Absent)
            {
                if (state.Live is not null)
                {
                    changes.Add(new PropertyDiff(state.Display, "present", "absent"));
                }

                continue;
            }

            if (state.Live is null)
            {
                changes.Add(new PropertyDiff(state.Display, "absent", "present"));
                continue;
            }

            var fields = JsonDiff.Leaves(JsonDiff.Comparable(state.Live), JsonDiff.Comparable(state.Predicted!), redactValues: false);
            foreach (var (path, before, after) in fields.Take(MaxFieldsPerObject))
            {
                var redact = state.IsSecret && (path.StartsWith("data", StringComparison.Ordinal) || path.StartsWith("stringData", StringComparison.Ordinal));
                changes.Add(new PropertyDiff($"{state.Display} {path}", redact && before is not null ? "(redacted)" : before, redact && after is not null ? "(redacted)" : after));
            }

            if (fields.Count > MaxFieldsPerObject)
            {
                changes.Add(new PropertyDiff($"{state.Display} ...", null, $"{fields.Count - MaxFieldsPerObject} more fields differ"));
            }

            if (fields.Count == 0 && state.RolloutPending is { } pending)
            {
                changes.Add(new PropertyDiff($"{state.Display} rollout", pending, "complete"));
            }
        }

        changes.AddRange(current.Prunable.Select(p => new PropertyDiff(p.Display, "present", desired.Ensure == Ensure.Absent ? "absent" : "absent (pruned)")));
        return changes;
    }

    public async Task ApplyAsync(Resource desired, KubernetesState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.Kubernetes;
        using var client = Connect(spec, context);
        var discovery = new ApiDiscovery(client);
        var fieldManager = FieldManager(spec);
        var owner = OwnerId(options.NodeName, fieldManager, desired.Id);

        if (desired.Ensure == Ensure.Absent)
        {
            // Namespaces last: deleting one deletes its contents, which would then 404 (harmless, but slower).
            foreach (var target in (current?.Objects.Where(o => o.Live is not null).Select(o => o.Ref) ?? [])
                .Concat(current?.Prunable.Select(p => p.Ref) ?? [])
                .OrderBy(r => r.Kind == "Namespace"))
            {
                await client.DeleteAsync(target.Path, cancellationToken);
            }

            return;
        }

        var resolved = await ResolveAsync(desired, client, discovery, cancellationToken);
        // Namespaces (and CRDs) first, so what lives in them can be applied in the same run.
        foreach (var (declared, target) in resolved.OrderBy(r => r.Target.Kind is "Namespace" or "CustomResourceDefinition" ? 0 : 1))
        {
            await client.ApplyAsync(target.Path, Stamp(declared.Body, target, owner, desired.Id), fieldManager, dryRun: false, cancellationToken);
        }

        foreach (var prunable in (current?.Prunable ?? []).OrderBy(p => p.Ref.Kind == "Namespace"))
        {
            await client.DeleteAsync(prunable.Ref.Path, cancellationToken);
        }

        if (spec.Wait)
        {
            var timeout = spec.WaitTimeoutSeconds > 0 ? TimeSpan.FromSeconds(spec.WaitTimeoutSeconds) : options.DefaultWaitTimeout;
            foreach (var (_, target) in resolved.Where(r => IsDeployment(r.Target)))
            {
                await WaitForRolloutAsync(client, target, timeout, context.Time, cancellationToken);
            }
        }
    }

    private async Task WaitForRolloutAsync(KubernetesClient client, ObjectRef target, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var live = await client.GetAsync(target.Path, cancellationToken)
                ?? throw new KubernetesException($"{target.Display} disappeared while waiting for its rollout");
            var pending = Rollout.Pending(live);
            if (pending is null)
            {
                return;
            }

            if (time.GetElapsedTime(started) >= timeout)
            {
                throw new KubernetesException($"{target.Display} did not finish its rollout within {timeout.TotalSeconds:0} s: {pending}");
            }

            await Task.Delay(options.RolloutPollInterval, time, cancellationToken);
        }
    }

    private KubernetesClient Connect(KubernetesSpec spec, ModuleContext context) =>
        new(new KubeConnectionResolver(options.Environment).Resolve(spec.Kubeconfig, spec.Context, context.Root));

    private string FieldManager(KubernetesSpec spec) => spec.FieldManager.Length > 0 ? spec.FieldManager : options.DefaultFieldManager;

    private static async Task<List<(DeclaredObject Declared, ObjectRef Target)>> ResolveAsync(
        Resource desired, KubernetesClient client, ApiDiscovery discovery, CancellationToken cancellationToken)
    {
        var spec = desired.Kubernetes;
        var defaultNamespace = spec.Namespace.Length > 0 ? spec.Namespace : client.Connection.Namespace;
        var resolved = new List<(DeclaredObject, ObjectRef)>();
        for (var i = 0; i < spec.Objects.Count; i++)
        {
            var declared = DeclaredObject.Parse(desired.Id, i, spec.Objects[i]);
            var resource = await discovery.RequireAsync(declared.ApiVersion, declared.Kind, cancellationToken);
            resolved.Add((declared, ObjectRef.Of(resource, declared.Namespace ?? defaultNamespace, declared.Name)));
        }

        return resolved;
    }

    /// <summary>Every object carrying this resource's owned-by label, across the prune kinds and the declared kinds.</summary>
    private static async Task<List<ObjectRef>> ListOwnedAsync(
        IEnumerable<(string ApiVersion, string Kind)> declaredKinds, string owner, KubernetesClient client, ApiDiscovery discovery, CancellationToken cancellationToken)
    {
        var found = new List<ObjectRef>();
        foreach (var (apiVersion, kind) in PruneKinds.Concat(declaredKinds).Distinct())
        {
            var resource = await discovery.FindAsync(apiVersion, kind, cancellationToken);
            if (resource is null || !resource.Verbs.Contains("list") || !resource.Verbs.Contains("delete"))
            {
                continue;
            }

            var collection = ObjectRef.Of(resource, ns: null, name: "").CollectionPath;
            foreach (var item in await client.ListAsync(collection, $"{OwnedByLabel}={owner}", cancellationToken))
            {
                found.Add(ObjectRef.Of(resource, item));
            }
        }

        return found;
    }

    /// <summary>The body to apply: the declared object with its namespace filled in and the owned-by label and annotation added.</summary>
    private static JsonObject Stamp(JsonObject declared, ObjectRef target, string owner, string resourceId)
    {
        var body = (JsonObject)declared.DeepClone();
        if (body["metadata"] is not JsonObject metadata)
        {
            body["metadata"] = metadata = [];
        }

        if (target.Namespace is not null)
        {
            metadata["namespace"] = target.Namespace;
        }

        if (metadata["labels"] is not JsonObject labels)
        {
            metadata["labels"] = labels = [];
        }

        labels[OwnedByLabel] = owner;
        if (metadata["annotations"] is not JsonObject annotations)
        {
            metadata["annotations"] = annotations = [];
        }

        annotations[ResourceAnnotation] = resourceId;
        return body;
    }

    private static bool IsDeployment(ObjectRef target) => target.Kind == "Deployment" && target.ApiVersion == "apps/v1";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
