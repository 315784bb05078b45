using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.SystemTests.Support;

/// <summary>
/// The packaged colabo-master (usr/bin/colabo-master from the .deb, run as a process) on loopback, on
/// SQLite in its own data dir, serving the agent package from the .deb's downloads directory. It can
/// be SIGKILLed and started again on the same port and data dir.
/// </summary>
public sealed partial class MasterProcess : IAsyncDisposable
{
    private readonly string _binary;
    private readonly string _downloads;
    private readonly string _repository;
    private readonly string _log;
    private Process? _process;
    private RpcChannel? _channel;

    private MasterProcess(string binary, string downloads, string dataDir, string repository, string log)
    {
        _binary = binary;
        _downloads = downloads;
        DataDir = dataDir;
        _repository = repository;
        _log = log;
    }

    public string DataDir { get; }

    public int Port { get; private set; }

    /// <summary>The address agents use: the container shares the host's network.</summary>
    public Uri Url => new($"https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Unpacks the master package into <paramref name="installRoot"/> and starts it on a free port.</summary>
    public static async Task<MasterProcess> StartAsync(string package, string installRoot, string dataDir, string repository, CancellationToken cancellationToken)
    {
        await Shell.RunAsync("dpkg-deb", ["-x", package, installRoot], TimeSpan.FromMinutes(2), cancellationToken: cancellationToken);
        var master = new MasterProcess(
            Path.Combine(installRoot, "usr", "bin", "colabo-master"),
            Path.Combine(installRoot, "usr", "share", "colabo-master", "downloads"),
            dataDir,
            repository,
            Path.Combine(Path.GetDirectoryName(dataDir)!, "master.log"));
        await master.StartAsync(cancellationToken);
        return master;
    }

    /// <summary>Starts the master: on a free port the first time, on the same port after <see cref="KillAsync"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--data-dir", DataDir,
            "--listen", $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}",
            "--repo", _repository,
            "--downloads-dir", _downloads,
            // The test deploys explicitly (`colabo deploy`), as an admin's webhook would.
            "--poll-interval", "0s",
            // Long enough that nothing but the test's own pushes triggers runs.
            "--run-interval", "30m",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_binary}");
        process.StandardInput.Close();
        _process = process;
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = PumpAsync(process.StandardOutput, listening);
        _ = PumpAsync(process.StandardError, listening);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var exited = process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(listening.Task, exited);
        if (first != listening.Task)
        {
            throw new InvalidOperationException($"colabo-master did not start (exit {(process.HasExited ? process.ExitCode : -1)}); its log:\n{ReadLog()}");
        }

        Port = await listening.Task;
        await ConnectAdminAsync(cancellationToken);
    }

    /// <summary>SIGKILL: no shutdown code runs, open streams break mid-message.</summary>
    public async Task KillAsync()
    {
        _channel?.Dispose();
        _channel = null;
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            process.Dispose();
            _process = null;
        }
    }

    public string ReadLog()
    {
        lock (_log)
        {
            return File.Exists(_log) ? File.ReadAllText(_log) : string.Empty;
        }
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task PumpAsync(StreamReader reader, TaskCompletionSource<int> listening)
    {
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lock (_log)
            {
                File.AppendAllText(_log, line + "\n");
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    private async Task ConnectAdminAsync(CancellationToken cancellationToken)
    {
        var caPem = await File.ReadAllTextAsync(Path.Combine(DataDir, "ca.crt"), cancellationToken);
        var certificatePem = await File.ReadAllTextAsync(Path.Combine(DataDir, "admin.crt"), cancellationToken);
        var keyPem = await File.ReadAllTextAsync(Path.Combine(DataDir, "admin.key"), cancellationToken);
        var ca = X509Certificate2.CreateFromPem(caPem);
        using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        var admin = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        _channel = new RpcChannel(Url, new RpcChannelOptions { ClientCertificate = admin, TrustedCertificateAuthority = ca });
        Admin = new AdminService.AdminServiceClient(_channel);
    }

    [GeneratedRegex(@"^colabo-master: listening on [^ ]+:(\d+);")]
    private static partial Regex ListeningLine();
}
