using System.Net;
using System.Net.Http.Headers;

namespace Colabo.Config.Rpc.Internal;

/// <summary>One client call over HTTP/2: request headers, framing, status from headers or trailers, deadline, cancellation.</summary>
internal sealed class ClientCall<TRequest, TResponse> : ICallState, IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>
{
    private static readonly TimeSpan[] s_retryBackoff = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(800)];

    private readonly RpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callCts;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly CancellationToken _token;
    private readonly TimeSpan? _timeout;
    private readonly TaskCompletionSource<HttpResponseHeaders?> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<Metadata>? _headersMetadata;
    private HttpResponseHeaders? _trailerSource;
    private readonly bool _compressRequests;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private string? _responseEncoding;
    private PushStreamContent? _requestContent;
    private Task? _responseReady;
    private Status? _status;
    private Metadata? _trailers;
    private TResponse? _current;
    private int _disposed;

    public ClientCall(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _compressRequests = string.Equals(channel.Options.RequestCompression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            _timeout = remaining;
            _deadlineCts = remaining > TimeSpan.Zero ? new CancellationTokenSource(remaining) : new CancellationTokenSource();
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineCts.Cancel();
            }
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadlineCts.Token);
        }
        else
        {
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        }
        _token = _callCts.Token;
    }

    /// <summary>Built on first use: most callers never look at response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync => _headersMetadata ??= BuildHeadersAsync();

    private async Task<Metadata> BuildHeadersAsync()
    {
        var headers = await _headers.Task;
        return headers is null ? new Metadata() : ToMetadata(headers);
    }

    private static Metadata ToMetadata(HttpHeaders source)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in source.NonValidated)
        {
            foreach (var value in values)
            {
                GrpcProtocol.AddHeaderToMetadata(metadata, name, value);
            }
        }
        return metadata;
    }

    public TResponse Current => _current!;

    private CancellationToken Token => _token;

    // ---- call shapes ----

    public async Task<TResponse> UnaryAsync(TRequest request)
    {
        try
        {
            var body = FrameToArray(request);
            await SendAsync(() => CreateBufferedContent(body), retriable: _method.IsIdempotent);
            return await ReadSingleResponseAsync();
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            ReleaseResponse();
            ReleaseTimers();
        }
    }

    public void StartServerStreaming(TRequest request)
    {
        _responseReady = StartAsync();

        async Task StartAsync()
        {
            try
            {
                var body = FrameToArray(request);
                await SendAsync(() => CreateBufferedContent(body), retriable: _method.IsIdempotent);
            }
            catch (Exception ex)
            {
                throw Fail(ex);
            }
        }
    }

    public void StartRequestStreaming()
    {
        _requestContent = new PushStreamContent();
        var content = _requestContent;
        _responseReady = StartAsync();

        async Task StartAsync()
        {
            try
            {
                await SendAsync(() => content, retriable: false);
            }
            catch (Exception ex)
            {
                var failure = Fail(ex);
                content.Fail(failure);
                throw failure;
            }
        }
    }

    public async Task<TResponse> ClientStreamingResponseAsync()
    {
        try
        {
            await _responseReady!;
            return await ReadSingleResponseAsync();
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            ReleaseResponse();
            ReleaseTimers();
        }
    }

    // ---- IAsyncStreamReader ----

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.CanBeCanceled ? cancellationToken.Register(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(), this) : default;
        try
        {
            await _responseReady!;
            if (_status is { } done)
            {
                return done.StatusCode == StatusCode.OK ? false : throw new RpcException(done, _trailers ?? new Metadata());
            }
            var payload = await MessageFraming.ReadMessageAsync(_responseStream!, _responseEncoding, _channel.Options.MaxReceiveMessageSize, Token);
            if (payload is null)
            {
                try
                {
                    FinishFromTrailers();
                }
                finally
                {
                    ReleaseResponse();
                    ReleaseTimers();
                }
                return false;
            }
            _current = MessageFraming.Deserialize(payload, _method.ResponseMarshaller, "response");
            return true;
        }
        catch (Exception ex)
        {
            if (cancellationToken.IsCancellationRequested && _status is null)
            {
                SetStatus(new Status(StatusCode.Cancelled, "Reading the response stream was cancelled."), new Metadata());
            }
            var failure = Fail(ex);
            ReleaseResponse();
            ReleaseTimers();
            throw failure;
        }
    }

    // ---- IClientStreamWriter ----

    public WriteOptions? WriteOptions { get; set; }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        var content = _requestContent ?? throw new InvalidOperationException("This call has no request stream.");
        if (content.IsCompleted)
        {
            throw new InvalidOperationException("The request stream is already complete; no more messages can be written.");
        }
        if (_status is { } finished)
        {
            throw new RpcException(finished, _trailers ?? new Metadata());
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(Token, cancellationToken);
        try
        {
            var stream = await content.StreamAsync.WaitAsync(linked.Token);
            await MessageFraming.WriteMessageAsync(stream, message, _method.RequestMarshaller, _compressRequests, _channel.Options.MaxSendMessageSize, linked.Token,
                flush: WriteOptions is not { BufferHint: true });
        }
        catch (Exception ex)
        {
            if (_status is { } status)
            {
                throw new RpcException(status, _trailers ?? new Metadata(), ex);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Cancelled, "Writing the request stream was cancelled."), new Metadata(), ex);
            }
            throw Fail(ex);
        }
    }

    public Task CompleteAsync()
    {
        _requestContent?.Complete();
        return Task.CompletedTask;
    }

    // ---- ICallState ----

    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not finished yet.");

    public Metadata GetTrailers() =>
        _trailers ??= (_trailerSource is { } source ? ToMetadata(source) : throw new InvalidOperationException("The call has not finished yet."));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_status is null)
        {
            SetStatus(new Status(StatusCode.Cancelled, "The call was disposed before it finished."), new Metadata());
            Cancel();
        }
        _requestContent?.Complete();
        ReleaseResponse();
        ReleaseTimers();
    }

    /// <summary>Unhooks the call from the caller's token and the deadline timer once it has ended (no leak on long-lived tokens).</summary>
    private void ReleaseTimers()
    {
        _requestContent?.Complete();
        _callCts.Dispose();
        _deadlineCts?.Dispose();
    }

    // ---- machinery ----

    private void Cancel()
    {
        try
        {
            _callCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private byte[] FrameToArray(TRequest request)
    {
        var pooled = MessageFraming.Frame(request, _method.RequestMarshaller, _compressRequests, _channel.Options.MaxSendMessageSize, out var length);
        try
        {
            return pooled.AsSpan(0, length).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    private static ByteArrayContent CreateBufferedContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
        return content;
    }

    private HttpRequestMessage CreateRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.MethodUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("user-agent", RpcChannel.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_compressRequests)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.Gzip);
        }
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(deadline.ToUniversalTime() - DateTime.UtcNow));
        }
        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    headers.TryAddWithoutValidation(entry.Key, GrpcProtocol.HeaderValue(entry));
                }
            }
        }
        return request;
    }

    private async Task SendAsync(Func<HttpContent> contentFactory, bool retriable)
    {
        Token.ThrowIfCancellationRequested();
        for (var attempt = 1; ; attempt++)
        {
            var request = CreateRequest(contentFactory());
            try
            {
                _response = await _channel.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token);
                break;
            }
            catch (HttpRequestException ex) when (retriable && attempt < _channel.Options.MaxAttempts && IsSafeToRetry(ex)
                && !_channel.IsLikelyCertificateRejection(ex) && !Token.IsCancellationRequested)
            {
                request.Dispose();
                await Task.Delay(s_retryBackoff[Math.Min(attempt - 1, s_retryBackoff.Length - 1)], Token);
            }
        }
        await ProcessResponseHeadersAsync(_response);
    }

    /// <summary>Nothing of the response arrived and the failure was not the TLS handshake (which would fail again the same way).</summary>
    private static bool IsSafeToRetry(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ProxyTunnelError
            or HttpRequestError.HttpProtocolError or HttpRequestError.Unknown;

    private async Task ProcessResponseHeadersAsync(HttpResponseMessage response)
    {
        _headers.TrySetResult(response.Headers);

        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = GrpcProtocol.FromHttpStatus(response.StatusCode);
            throw new RpcException(new Status(code, $"Bad gRPC response: HTTP status {(int)response.StatusCode} {response.ReasonPhrase} from {_channel.Address}."), ToMetadata(response.Headers));
        }
        if (TryGetStatus(response.Headers, out var trailersOnly))
        {
            // Trailers-only response: the status came in the headers and there is no body.
            var headers = ToMetadata(response.Headers);
            SetStatus(trailersOnly, headers);
            if (trailersOnly.StatusCode != StatusCode.OK)
            {
                throw new RpcException(trailersOnly, headers);
            }
            return;
        }
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Bad gRPC response: content-type '{contentType}' from {_channel.Address} is not application/grpc."), new Metadata());
        }
        _responseEncoding = FirstValue(response.Headers, GrpcProtocol.EncodingHeader);
        _responseStream = await response.Content.ReadAsStreamAsync(Token);
    }

    private async Task<TResponse> ReadSingleResponseAsync()
    {
        if (_status is { } early)
        {
            // Trailers-only with OK but without a message is a protocol violation for unary.
            throw new RpcException(early.StatusCode == StatusCode.OK ? new Status(StatusCode.Internal, "The server returned OK without a response message.") : early, _trailers ?? new Metadata());
        }
        var payload = await MessageFraming.ReadMessageAsync(_responseStream!, _responseEncoding, _channel.Options.MaxReceiveMessageSize, Token);
        if (payload is null)
        {
            FinishFromTrailers();
            throw new RpcException(new Status(StatusCode.Internal, "The server returned OK without a response message."), _trailers!);
        }
        var response = MessageFraming.Deserialize(payload, _method.ResponseMarshaller, "response");
        var extra = await MessageFraming.ReadMessageAsync(_responseStream!, _responseEncoding, _channel.Options.MaxReceiveMessageSize, Token);
        if (extra is not null)
        {
            throw new RpcException(StatusCode.Internal, "The server sent more than one response message to a call that expects one.");
        }
        FinishFromTrailers();
        return response;
    }

    /// <summary>Called at the end of the body: the status is in the trailers. Throws for a non-OK status.</summary>
    private void FinishFromTrailers()
    {
        var source = _response!.TrailingHeaders;
        if (!TryGetStatus(source, out var status))
        {
            status = new Status(StatusCode.Internal, "The server ended the response without a grpc-status trailer.");
        }
        if (status.StatusCode != StatusCode.OK)
        {
            var trailers = ToMetadata(source);
            SetStatus(status, trailers);
            throw new RpcException(status, trailers);
        }
        // OK: build the trailer metadata only if someone asks for it.
        _trailerSource = source;
        _status ??= status;
    }

    private static bool TryGetStatus(HttpHeaders headers, out Status status)
    {
        status = default;
        var raw = FirstValue(headers, GrpcProtocol.StatusHeader);
        if (raw is null)
        {
            return false;
        }
        var message = GrpcProtocol.DecodeMessage(FirstValue(headers, GrpcProtocol.MessageHeader));
        status = GrpcProtocol.TryParseStatus(raw, out var code)
            ? new Status(code, message)
            : new Status(StatusCode.Unknown, $"Unparseable grpc-status '{raw}'. {message}");
        return true;
    }

    private static string? FirstValue(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private void SetStatus(Status status, Metadata trailers)
    {
        if (_status is null)
        {
            _status = status;
            _trailers = trailers;
        }
        if (status.StatusCode != StatusCode.OK)
        {
            _headers.TrySetResult(null);
        }
    }

    /// <summary>Turns any failure into the call's final RpcException, recording the status once.</summary>
    private RpcException Fail(Exception ex)
    {
        RpcException result;
        if (_deadlineCts?.IsCancellationRequested == true && ex is not RpcException { StatusCode: not StatusCode.Cancelled })
        {
            result = new RpcException(new Status(StatusCode.DeadlineExceeded, $"Deadline exceeded after {_timeout?.TotalMilliseconds:0} ms calling {_method.FullName}."), new Metadata(), ex);
        }
        else if (ex is RpcException rpc)
        {
            result = rpc;
        }
        else if (_options.CancellationToken.IsCancellationRequested || (ex is OperationCanceledException && _callCts.IsCancellationRequested))
        {
            result = new RpcException(new Status(StatusCode.Cancelled, $"Call to {_method.FullName} was cancelled by the client."), new Metadata(), ex);
        }
        else if (ex is HttpRequestException http)
        {
            result = new RpcException(new Status(StatusCode.Unavailable, _channel.DescribeConnectionFailure(http)), new Metadata(), ex);
        }
        else if (FindProtocolError(ex) is { } protocolError)
        {
            var code = protocolError.ErrorCode switch
            {
                0x8 => StatusCode.Cancelled,       // CANCEL
                0x7 => StatusCode.Unavailable,     // REFUSED_STREAM
                0xb => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
                0xc => StatusCode.PermissionDenied,  // INADEQUATE_SECURITY
                _ => StatusCode.Internal,
            };
            // The same exception type carries a stream reset and a connection abort (a keepalive PING
            // left unanswered): keep the HTTP layer's own words so the person reading knows which.
            result = new RpcException(new Status(code, $"HTTP/2 error 0x{protocolError.ErrorCode:x} ended {_method.FullName}: {protocolError.Message}"), new Metadata(), ex);
        }
        else if (ex is IOException or ObjectDisposedException)
        {
            result = new RpcException(new Status(StatusCode.Unavailable, $"The connection to {_channel.Address} broke during {_method.FullName}: {ex.Message}"), new Metadata(), ex);
        }
        else
        {
            result = new RpcException(new Status(StatusCode.Internal, $"Call to {_method.FullName} failed on the client: {ex.Message}"), new Metadata(), ex);
        }
        if (_status is { StatusCode: not StatusCode.OK } known && result.Status != known && ex is not RpcException)
        {
            result = new RpcException(known, _trailers ?? new Metadata(), ex);
        }
        SetStatus(result.Status, result.Trailers);
        if (result.StatusCode != StatusCode.OK)
        {
            Cancel();
        }
        return result;
    }

    private static HttpProtocolException? FindProtocolError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpProtocolException protocol)
            {
                return protocol;
            }
        }
        return null;
    }

    private void ReleaseResponse()
    {
        _responseStream?.Dispose();
        _response?.Dispose();
    }
}
