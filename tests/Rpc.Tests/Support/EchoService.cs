using Colabo.Config.Rpc.Tests.Protos;
using Google.Protobuf;

namespace Colabo.Config.Rpc.Tests.Support;

/// <summary>The test service: echoes, fails on request, hangs until cancelled, and records what it saw.</summary>
public sealed class EchoService : TestService.TestServiceBase
{
    public TaskCompletionSource HandlerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HandlerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) => await ReplyAsync(request, context, 0);

    public override async Task<EchoReply> IdempotentUnary(EchoRequest request, ServerCallContext context) => await ReplyAsync(request, context, 0);

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        var count = Math.Max(1, request.Count);
        for (var i = 0; i < count; i++)
        {
            await responseStream.WriteAsync(await ReplyAsync(new EchoRequest(request) { Hang = false }, context, i), context.CancellationToken);
        }
        if (request.Hang)
        {
            await HangAsync(context);
        }
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var texts = new List<string>();
        var size = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (request.FailWithCode != 0 || request.Hang)
            {
                return await ReplyAsync(request, context, 0);
            }
            texts.Add(request.Text);
            size += request.Payload.Length;
        }
        return new EchoReply { Text = string.Join(",", texts), Index = texts.Count, Payload = ByteString.CopyFrom(new byte[size]) };
    }

    private int _activeDuplex;

    /// <summary>Duplex handlers running right now (hostile-input tests check they all end).</summary>
    public int ActiveDuplexCalls => Volatile.Read(ref _activeDuplex);

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref _activeDuplex);
        try
        {
            var i = 0;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(await ReplyAsync(request, context, i++), context.CancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _activeDuplex);
        }
    }

    private async Task<EchoReply> ReplyAsync(EchoRequest request, ServerCallContext context, int index)
    {
        HandlerStarted.TrySetResult();
        if (request.Hang)
        {
            await HangAsync(context);
        }
        if (request.FailWithCode == -1)
        {
            throw new InvalidOperationException("secret internal detail /etc/shadow at Handler.cs:42");
        }
        if (request.FailWithCode != 0)
        {
            context.ResponseTrailers.Add("x-failure-reason", "requested");
            throw new RpcException((StatusCode)request.FailWithCode, request.FailWithMessage);
        }
        if (context.RequestHeaders.GetValue("x-trailer") is { } trailer)
        {
            context.ResponseTrailers.Add("x-trailer-echo", trailer);
            context.ResponseTrailers.Add("x-trailer-echo-bin", [1, 2, 255]);
        }
        return new EchoReply
        {
            Text = request.Text,
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            Index = index,
            SeenHeader = context.RequestHeaders.GetValue("x-echo") ?? "",
            SeenBinaryHeader = ByteString.CopyFrom(context.RequestHeaders.GetValueBytes("x-echo-bin") ?? []),
            PeerCommonName = context.PeerIdentity?.CommonName ?? "",
        };
    }

    private async Task HangAsync(ServerCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            HandlerCancelled.TrySetResult();
            throw;
        }
    }
}
