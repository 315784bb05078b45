using System.Collections;
using System.Runtime.InteropServices;
using Colabo.Config.Master;

MasterOptions options;
try
{
    var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
    options = MasterOptionsParser.Parse(args, environment);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"colabo-master: {e.Message}");
    return 2;
}

using var stop = new CancellationTokenSource();
// SIGTERM (systemctl stop, kill) and SIGINT stop the master cleanly. The web host's own console
// lifetime swallows SIGTERM, so ProcessExit alone would never fire and the process would hang.
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);

await using var master = await MasterHost.StartAsync(options, cancellationToken: stop.Token);
Console.Error.WriteLine($"colabo-master: listening on {options.Listen.Address}:{master.Port}; CA {master.Paths.CaCertificate} (sha256 {master.Keyring.Ca.Fingerprint}); data dir {master.Paths.DataDir}");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;
