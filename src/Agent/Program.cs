using Colabo.Config.Agent.Cli;

// colabo-agent: one file per command under Cli/ (apply today; the daemon commands join the list in AgentCommandLine).
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};
return await AgentCommandLine.RunAsync(args, Console.Out, Console.Error, interrupted.Token);
