using System.Collections;
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
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

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
