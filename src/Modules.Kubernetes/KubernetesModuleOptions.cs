namespace Colabo.Config.Modules.Kubernetes;

/// <summary>Host seams and defaults of the kubernetes module.</summary>
public sealed record KubernetesModuleOptions
{
    /// <summary>Environment lookup (KUBERNETES_SERVICE_HOST, KUBECONFIG, HOME); the process environment by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>How often a Deployment's rollout is checked while waiting.</summary>
    public TimeSpan RolloutPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for a rollout when the resource sets no wait_timeout_seconds; below the engine's 5 min per-resource timeout, so the pending detail is reported.</summary>
    public TimeSpan DefaultWaitTimeout { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>
    /// The node this agent converges, part of the owned-by label, so two nodes applying a resource of
    /// the same name into one cluster never prune each other's objects. The agent sets its certificate name.
    /// </summary>
    public string NodeName { get; init; } = System.Environment.MachineName;

    /// <summary>The field manager when the resource names none.</summary>
    public string DefaultFieldManager { get; init; } = "colabo-config";
}
