using System.Security.Cryptography.X509Certificates;
using System.Text;
using Colabo.Config.Engine.Host;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Modules.Kubernetes;

/// <summary>
/// Finds the API server and credentials for a <c>kubernetes</c> resource: the kubeconfig it names;
/// else the in-cluster service account; else $KUBECONFIG; else ~/.kube/config. Every file path is
/// resolved under the target root. Supports bearer tokens (inline or tokenFile), client
/// certificates (file or inline data) and the cluster CA (file or inline data).
/// </summary>
public sealed class KubeConnectionResolver(Func<string, string?> environment)
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public KubeConnectionResolver()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    public KubeConnection Resolve(string kubeconfig, string context, TargetRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (kubeconfig.Length > 0)
        {
            return FromKubeconfig(kubeconfig, context, root);
        }

        if (environment("KUBERNETES_SERVICE_HOST") is { Length: > 0 } host
            && File.Exists(root.Resolve($"{ServiceAccountDirectory}/token")))
        {
            return InCluster(host, environment("KUBERNETES_SERVICE_PORT") ?? "443", root);
        }

        foreach (var path in (environment("KUBECONFIG") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(root.Resolve(path)))
            {
                return FromKubeconfig(path, context, root);
            }
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : "/root";
        var fallback = $"{home.TrimEnd('/')}/.kube/config";
        if (File.Exists(root.Resolve(fallback)))
        {
            return FromKubeconfig(fallback, context, root);
        }

        throw new KubernetesException(
            "no Kubernetes credentials: the resource names no kubeconfig, this is not a pod with a service account "
            + $"(KUBERNETES_SERVICE_HOST unset or {ServiceAccountDirectory}/token missing), $KUBECONFIG is unset and {fallback} does not exist");
    }

    private static KubeConnection InCluster(string host, string port, TargetRoot root)
    {
        var directory = root.Resolve(ServiceAccountDirectory);
        var server = host.Contains(':', StringComparison.Ordinal) ? $"https://[{host}]:{port}" : $"https://{host}:{port}";
        var ca = Path.Combine(directory, "ca.crt");
        var ns = Path.Combine(directory, "namespace");
        return new KubeConnection
        {
            Server = new Uri(server),
            BearerToken = File.ReadAllText(Path.Combine(directory, "token")).Trim(),
            CertificateAuthorities = File.Exists(ca) ? LoadPem(File.ReadAllText(ca), ca) : [],
            Namespace = File.Exists(ns) ? File.ReadAllText(ns).Trim() : "default",
            Origin = $"in-cluster service account ({ServiceAccountDirectory})",
        };
    }

    private static KubeConnection FromKubeconfig(string path, string contextName, TargetRoot root)
    {
        var real = root.Resolve(path);
        if (!File.Exists(real))
        {
            throw new KubernetesException($"kubeconfig {path} does not exist");
        }

        YamlMappingNode document;
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(real, Encoding.UTF8);
            stream.Load(reader);
            document = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                ?? throw new KubernetesException($"kubeconfig {path} is empty or not a mapping");
        }
        catch (YamlException exception)
        {
            throw new KubernetesException($"kubeconfig {path}:{exception.Start.Line}:{exception.Start.Column}: {exception.Message}", exception);
        }

        var baseDirectory = Path.GetDirectoryName(path) ?? "/";
        string Where(string what) => $"kubeconfig {path}: {what}";
        var name = contextName.Length > 0 ? contextName : Scalar(document, "current-context")
            ?? throw new KubernetesException(Where("no context given and no current-context set"));
        var context = Named(document, "contexts", name, "context") ?? throw new KubernetesException(Where($"context '{name}' not found"));
        var clusterName = Scalar(context, "cluster") ?? throw new KubernetesException(Where($"context '{name}' names no cluster"));
        var cluster = Named(document, "clusters", clusterName, "cluster") ?? throw new KubernetesException(Where($"cluster '{clusterName}' not found"));
        var userName = Scalar(context, "user");
        var user = userName is null ? null : Named(document, "users", userName, "user") ?? throw new KubernetesException(Where($"user '{userName}' not found"));

        var server = Scalar(cluster, "server") ?? throw new KubernetesException(Where($"cluster '{clusterName}' has no server"));
        string ReadFile(string file) => File.ReadAllText(root.Resolve(file.StartsWith('/') ? file : Path.Combine(baseDirectory, file)));
        string? Material(YamlMappingNode? node, string fileKey, string dataKey) =>
            node is null ? null
            : Scalar(node, dataKey) is { } data ? Encoding.UTF8.GetString(Convert.FromBase64String(data))
            : Scalar(node, fileKey) is { } file ? ReadFile(file)
            : null;

        var ca = Material(cluster, "certificate-authority", "certificate-authority-data");
        var token = user is null ? null : Scalar(user, "token") ?? (Scalar(user, "tokenFile") is { } tokenFile ? ReadFile(tokenFile).Trim() : null);
        var certificate = Material(user, "client-certificate", "client-certificate-data");
        var key = Material(user, "client-key", "client-key-data");
        if ((certificate is null) != (key is null))
        {
            throw new KubernetesException(Where($"user '{userName}' needs both a client certificate and its key"));
        }

        if (user is not null && user.Children.ContainsKey(new YamlScalarNode("exec")) && token is null && certificate is null)
        {
            throw new KubernetesException(Where($"user '{userName}' uses an exec credential plugin, which the agent does not run; use a token or client certificate"));
        }

        return new KubeConnection
        {
            Server = new Uri(server),
            CertificateAuthorities = ca is null ? [] : LoadPem(ca, Where("certificate-authority")),
            InsecureSkipTlsVerify = Scalar(cluster, "insecure-skip-tls-verify") == "true",
            BearerToken = token,
            ClientCertificate = certificate is null ? null : LoadClientCertificate(certificate, key!, Where($"user '{userName}' client certificate")),
            Namespace = Scalar(context, "namespace") ?? "default",
            Origin = $"kubeconfig {path} context {name}",
        };
    }

    private static X509Certificate2Collection LoadPem(string pem, string where)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException exception)
        {
            throw new KubernetesException($"{where}: not a PEM certificate ({exception.Message})", exception);
        }

        return collection.Count > 0 ? collection : throw new KubernetesException($"{where}: no certificate in the PEM data");
    }

    private static X509Certificate2 LoadClientCertificate(string certificatePem, string keyPem, string where)
    {
        try
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            // TLS client authentication on Linux wants a key that round-trips through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }
        catch (System.Security.Cryptography.CryptographicException exception)
        {
            throw new KubernetesException($"{where}: cannot load the certificate and key ({exception.Message})", exception);
        }
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;

    /// <summary>kubeconfig lists are [{name: N, KEY: {...}}]; returns the KEY mapping of the entry named N.</summary>
    private static YamlMappingNode? Named(YamlMappingNode document, string list, string name, string key) =>
        document.Children.TryGetValue(new YamlScalarNode(list), out var entries) && entries is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>()
                .Where(e => Scalar(e, "name") == name)
                .Select(e => e.Children.TryGetValue(new YamlScalarNode(key), out var inner) ? inner as YamlMappingNode ?? new YamlMappingNode() : new YamlMappingNode())
                .FirstOrDefault()
            : null;
}
