using System.Net;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>
/// A deliberately dumb gRPC peer that sends hand-made bodies, for the failure paths a well-behaved client
/// never produces (malformed frames, lies about lengths, stalls).
/// </summary>
public sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public async Task<(string? Status, string? Message)> SendAsync(Uri address, string path, HttpContent body, string? encoding = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path)) { Content = body, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        body.Headers.TryAddWithoutValidation("content-type", "application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (encoding is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", encoding);
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.Headers.TryGetValues("grpc-status", out var early))
        {
            return (early.First(), response.Headers.TryGetValues("grpc-message", out var m) ? m.First() : null);
        }
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (response.TrailingHeaders.TryGetValues("grpc-status", out var s) ? s.First() : null,
            response.TrailingHeaders.TryGetValues("grpc-message", out var tm) ? tm.First() : null);
    }

    public static ByteArrayContent Bytes(params byte[] body) => new(body);

    public void Dispose() => _http.Dispose();
}

/// <summary>A request body that sends some bytes and then never ends until released.</summary>
public sealed class StallingContent(byte[] prefix, Task release) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(prefix);
        await stream.FlushAsync();
        await release;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
