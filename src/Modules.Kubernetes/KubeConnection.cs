using System.Security.Cryptography.X509Certificates;

namespace Colabo.Config.Modules.Kubernetes;

/// <summary>How to reach and authenticate to one API server, resolved from a kubeconfig or the in-cluster service account.</summary>
public sealed record KubeConnection
{
    public required Uri Server { get; init; }

    /// <summary>The cluster CA; when empty the system trust store decides.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; init; } = [];

    public bool InsecureSkipTlsVerify { get; init; }

    public string? BearerToken { get; init; }

    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The namespace the kubeconfig context (or the service account) names; "default" otherwise.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Where this came from, for error messages: "kubeconfig /root/.kube/config context kind-dev", "in-cluster".</summary>
    public string Origin { get; init; } = "";
}
