using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Colabo.Config.Modules.Docker.Internal;

namespace Colabo.Config.Modules.Docker;

/// <summary>
/// The Docker Engine API over the daemon's unix socket, with HttpClient (Docker.DotNet cannot be
/// restored here). Only the calls the docker_* modules need. Thread-safe; share one per agent.
/// </summary>
public sealed class DockerClient : IDisposable
{
    private readonly HttpClient http;

    public DockerClient(DockerClientOptions? options = null)
    {
        Options = options ?? new DockerClientOptions();
        var socketPath = Options.SocketPath;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The host name is a placeholder: the connect callback ignores it.
        http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://docker/v{Options.ApiVersion}/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public DockerClientOptions Options { get; }

    /// <summary>The daemon's version; throws a <see cref="DockerException"/> saying why when it cannot be reached.</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken)
    {
        var version = await GetJsonAsync("version", DockerJsonContext.Default.VersionResponse, cancellationToken);
        return version?.Version ?? "unknown";
    }

    internal Task<ImageInspect?> InspectImageAsync(string reference, CancellationToken cancellationToken) =>
        GetJsonAsync($"images/{Uri.EscapeDataString(reference)}/json", DockerJsonContext.Default.ImageInspect, cancellationToken);

    internal Task<NetworkInspect?> InspectNetworkAsync(string name, CancellationToken cancellationToken) =>
        GetJsonAsync($"networks/{Uri.EscapeDataString(name)}", DockerJsonContext.Default.NetworkInspect, cancellationToken);

    internal Task<ContainerInspect?> InspectContainerAsync(string name, CancellationToken cancellationToken) =>
        GetJsonAsync($"containers/{Uri.EscapeDataString(name)}/json", DockerJsonContext.Default.ContainerInspect, cancellationToken);

    /// <summary>POST /build with a tar context; returns the id of the image built.</summary>
    internal async Task<string?> BuildImageAsync(string query, Stream contextTar, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(contextTar);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        var messages = await PostStreamAsync("build?" + query, content, cancellationToken);
        return messages.LastOrDefault(m => m.Aux?.ID is not null)?.Aux?.ID;
    }

    /// <summary>POST /images/create?fromSrc=- with a root filesystem tarball (docker import).</summary>
    internal async Task<string?> ImportImageAsync(string query, Stream tarball, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(tarball);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        var messages = await PostStreamAsync("images/create?" + query, content, cancellationToken);
        return messages.LastOrDefault(m => m.Status?.StartsWith("sha256:", StringComparison.Ordinal) == true)?.Status;
    }

    /// <summary>POST /images/create?fromImage=... (docker pull).</summary>
    internal Task PullImageAsync(string query, CancellationToken cancellationToken) =>
        PostStreamAsync("images/create?" + query, content: null, cancellationToken);

    internal Task RemoveImageAsync(string reference, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"images/{Uri.EscapeDataString(reference)}", content: null, cancellationToken);

    internal async Task<string> CreateNetworkAsync(NetworkCreate request, CancellationToken cancellationToken)
    {
        var body = JsonContent(request, DockerJsonContext.Default.NetworkCreate);
        var response = await SendJsonAsync(HttpMethod.Post, "networks/create", body, DockerJsonContext.Default.IdResponse, cancellationToken);
        return response.Id;
    }

    internal Task RemoveNetworkAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"networks/{Uri.EscapeDataString(id)}", content: null, cancellationToken);

    internal Task ConnectNetworkAsync(string network, string container, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Post,
            $"networks/{Uri.EscapeDataString(network)}/connect",
            JsonContent(new NetworkConnect { Container = container }, DockerJsonContext.Default.NetworkConnect),
            cancellationToken);

    internal async Task<string> CreateContainerAsync(string name, ContainerCreate request, CancellationToken cancellationToken)
    {
        var body = JsonContent(request, DockerJsonContext.Default.ContainerCreate);
        var response = await SendJsonAsync(
            HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", body, DockerJsonContext.Default.IdResponse, cancellationToken);
        return response.Id;
    }

    internal Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/start", content: null, cancellationToken);

    internal Task StopContainerAsync(string id, int timeoutSeconds, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/stop?t={timeoutSeconds}", content: null, cancellationToken);

    internal Task RemoveContainerAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"containers/{Uri.EscapeDataString(id)}?force=true", content: null, cancellationToken);

    internal static string ToJson(Dictionary<string, string> map) =>
        JsonSerializer.Serialize(map, DockerJsonContext.Default.DictionaryStringString);

    public void Dispose() => http.Dispose();

    private static ByteArrayContent JsonContent<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>GET that answers null on 404.</summary>
    private async Task<T?> GetJsonAsync<T>(string path, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, content: null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(HttpMethod.Get, path, response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken);
    }

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, HttpContent content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        await EnsureSuccessAsync(method, path, response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken)
            ?? throw new DockerException($"Docker answered {method} /{path} with an empty body");
    }

    private async Task SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        await EnsureSuccessAsync(method, path, response, cancellationToken);
    }

    /// <summary>Build, import and pull answer 200 and then report failures inside the JSON stream.</summary>
    private async Task<List<StreamMessage>> PostStreamAsync(string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Post, path, content, cancellationToken);
        await EnsureSuccessAsync(HttpMethod.Post, path, response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var messages = new List<StreamMessage>();
        var output = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var message = JsonSerializer.Deserialize(line, DockerJsonContext.Default.StreamMessage);
            if (message is null)
            {
                continue;
            }

            if (message.Error is not null || message.ErrorDetail?.Message is not null)
            {
                var tail = Tail(output.ToString(), 10);
                throw new DockerException(
                    $"Docker failed on POST /{Truncate(path)}: {(message.ErrorDetail?.Message ?? message.Error)!.Trim()}"
                    + (tail.Length > 0 ? $"\nlast output:\n{tail}" : ""));
            }

            output.Append(message.Stream ?? (message.Status is null ? "" : message.Status + "\n"));
            messages.Add(message);
        }

        return messages;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(exception);
        }
    }

    private DockerException Unreachable(HttpRequestException exception)
    {
        var socket = Options.SocketPath;
        var reason = exception.InnerException is SocketException socketException
            ? socketException.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported when !File.Exists(socket) =>
                    $"the socket {socket} does not exist",
                SocketError.ConnectionRefused => $"nothing listens on {socket}",
                SocketError.AccessDenied => $"permission denied on {socket} (the agent must run as root or in the docker group)",
                _ => $"{socketException.Message} ({socket})",
            }
            : File.Exists(socket) ? exception.Message : $"the socket {socket} does not exist";
        return new DockerException($"cannot reach the Docker daemon: {reason}; is dockerd running?", exception) { DaemonUnavailable = true };
    }

    private static async Task EnsureSuccessAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // 304: start of a running or stop of a stopped container; the state is already what was asked.
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(body, DockerJsonContext.Default.ErrorResponse)?.Message;
        }
        catch (JsonException)
        {
            // Not JSON: show the raw body below.
        }

        message ??= body.Length > 0 ? body.Trim() : response.ReasonPhrase;
        throw new DockerException($"Docker refused {method} /{Truncate(path)} ({(int)response.StatusCode}): {message}", response.StatusCode);
    }

    private static string Truncate(string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? path : path[..query];
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
