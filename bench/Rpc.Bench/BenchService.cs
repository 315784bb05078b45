using Colabo.Config.Rpc.Tests.Protos;

namespace Colabo.Config.Rpc.Bench;

/// <summary>The server side of the benchmark: echo for unary, one message then hold open for idle streams.</summary>
internal sealed class BenchService : TestService.TestServiceBase
{
    private static readonly Task<EchoReply> s_none = Task.FromResult(new EchoReply());

    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) =>
        request.Text.Length == 0 ? s_none : Task.FromResult(new EchoReply { Text = request.Text });

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        await responseStream.WriteAsync(new EchoReply { Index = 0 }, context.CancellationToken);
        if (request.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
