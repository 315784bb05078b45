using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Colabo.Config.Modules.Kubernetes;

/// <summary>
/// Kubernetes REST over HttpClient (KubernetesClient cannot be restored here): get, list by label
/// selector, server-side apply (optionally as a dry run), delete. JSON stays as <see cref="JsonNode"/>,
/// which is reflection-free. One instance per connection; disposable.
/// </summary>
public sealed class KubernetesClient : IDisposable
{
    public const string ApplyPatchContentType = "application/apply-patch+yaml";

    private readonly HttpClient http;

    public KubernetesClient(KubeConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Connection = connection;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateServer,
                ClientCertificates = connection.ClientCertificate is null ? null : [connection.ClientCertificate],
            },
        };
        http = new HttpClient(handler) { BaseAddress = connection.Server, Timeout = TimeSpan.FromSeconds(60) };
        if (connection.BearerToken is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("colabo-agent", "1.0"));
    }

    public KubeConnection Connection { get; }

    /// <summary>GET; null on 404.</summary>
    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadObjectAsync(HttpMethod.Get, path, response, cancellationToken);
    }

    /// <summary>Lists a collection path, filtered by a label selector; returns the items.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string path, string labelSelector, CancellationToken cancellationToken)
    {
        var list = await GetAsync($"{path}?labelSelector={Uri.EscapeDataString(labelSelector)}", cancellationToken)
            ?? throw new KubernetesException($"GET {path}: the collection does not exist", HttpStatusCode.NotFound, "NotFound");
        return list["items"] is JsonArray items ? [.. items.OfType<JsonObject>()] : [];
    }

    /// <summary>Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML) with a field manager, forcing conflicts.</summary>
    public async Task<JsonObject> ApplyAsync(string path, JsonObject body, string fieldManager, bool dryRun, CancellationToken cancellationToken)
    {
        var query = $"?fieldManager={Uri.EscapeDataString(fieldManager)}&force=true" + (dryRun ? "&dryRun=All" : "");
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(ApplyPatchContentType);
        using var response = await SendAsync(HttpMethod.Patch, path + query, content, cancellationToken);
        return await ReadObjectAsync(HttpMethod.Patch, path, response, cancellationToken);
    }

    /// <summary>DELETE with background propagation; a 404 counts as done.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, path + "?propagationPolicy=Background", null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await ReadObjectAsync(HttpMethod.Delete, path, response, cancellationToken);
        }
    }

    public void Dispose() => http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = exception.InnerException switch
            {
                AuthenticationException => "the TLS handshake failed (is the cluster CA right? does the server accept the client certificate?)",
                SocketException socket => socket.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : socket.Message,
                _ => exception.Message,
            };
            throw new KubernetesException($"cannot reach the Kubernetes API at {Connection.Server} ({Connection.Origin}): {reason}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesException($"the Kubernetes API at {Connection.Server} did not answer {method} {path} within {http.Timeout.TotalSeconds:0} s", exception);
        }
    }

    private async Task<JsonObject> ReadObjectAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? node = null;
        try
        {
            node = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Not JSON: shown raw below.
        }

        if (response.IsSuccessStatusCode)
        {
            return node as JsonObject ?? throw new KubernetesException($"{method} {path}: the API server answered {(int)response.StatusCode} without a JSON object");
        }

        // Errors come as a metav1.Status: {"kind":"Status","message":"...","reason":"NotFound","code":404}.
        var message = node?["message"]?.GetValue<string>() ?? (text.Length > 0 ? text.Trim() : response.ReasonPhrase);
        var reason = node?["reason"]?.GetValue<string>();
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $" (the credentials from {Connection.Origin} were not accepted)",
            HttpStatusCode.Forbidden => " (the account lacks RBAC permission for this)",
            _ => "",
        };
        throw new KubernetesException($"{method} {path}: {(int)response.StatusCode} {reason}: {message}{hint}", response.StatusCode, reason);
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Connection.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (Connection.CertificateAuthorities.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        // Trust exactly the cluster CA from the kubeconfig, not the system store.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(Connection.CertificateAuthorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
