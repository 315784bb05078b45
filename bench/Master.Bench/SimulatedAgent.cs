using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Bench;

/// <summary>
/// One simulated agent: its own key and certificate (enrolled once, then cached on disk), its own
/// mTLS connection, a Watch stream held open, check-ins with the hash it holds, reports of 50 resources.
/// </summary>
internal sealed class SimulatedAgent : IDisposable
{
    private readonly RpcChannel _channel;
    private readonly AgentService.AgentServiceClient _client;
    private AsyncServerStreamingCall<WatchEvent>? _watch;

    private SimulatedAgent(string name, X509Certificate2 certificate, Uri master, X509Certificate2 ca, IPAddress? localAddress)
    {
        Name = name;
        Certificate = certificate;
        _channel = new RpcChannel(master, new RpcChannelOptions { HttpHandler = AgentTransport.Create(certificate, ca, localAddress) });
        _client = new AgentService.AgentServiceClient(_channel);
    }

    public string Name { get; }

    public X509Certificate2 Certificate { get; }

    public string Hash { get; private set; } = "";

    /// <summary>Loads the identity cached in <paramref name="identities"/>, or enrolls with the token and caches it.</summary>
    public static async Task<(SimulatedAgent Agent, bool Enrolled)> ConnectAsync(string name, string identities, AgentService.AgentServiceClient anonymous, string token,
        Uri master, X509Certificate2 ca, IPAddress? localAddress, CancellationToken cancellationToken)
    {
        var file = Path.Combine(identities, name + ".pem");
        var enrolled = false;
        X509Certificate2 certificate;
        if (File.Exists(file))
        {
            var pem = await File.ReadAllTextAsync(file, cancellationToken);
            certificate = X509Certificate2.CreateFromPem(pem, pem);
        }
        else
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var response = await anonymous.EnrollAsync(new EnrollRequest { Token = token, CsrPem = csr, NodeName = name, Facts = Facts(name) },
                new CallOptions(CancellationToken: cancellationToken));
            using var issued = X509Certificate2.CreateFromPem(response.CertificatePem);
            certificate = issued.CopyWithPrivateKey(key);
            var temp = file + ".tmp";
            await File.WriteAllTextAsync(temp, response.CertificatePem.TrimEnd() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n", cancellationToken);
            File.Move(temp, file, overwrite: true);
            enrolled = true;
        }
        return (new SimulatedAgent(name, certificate, master, ca, localAddress), enrolled);
    }

    /// <summary>Fetches the current catalog (a full one: the agent holds none yet).</summary>
    public async Task FetchCatalogAsync(CancellationToken cancellationToken)
    {
        var answer = await _client.GetCatalogAsync(new GetCatalogRequest { Facts = Facts(Name) }, new CallOptions(CancellationToken: cancellationToken));
        Hash = answer.CatalogHash;
    }

    /// <summary>Opens the Watch stream; <paramref name="onCatalogChanged"/> runs for every "catalog changed" event.</summary>
    public async Task WatchAsync(Action<SimulatedAgent> onCatalogChanged, Action<SimulatedAgent, Exception> onBroken)
    {
        _watch = _client.Watch(new WatchRequest { CurrentHash = Hash });
        await _watch.ResponseHeadersAsync;
        var watch = _watch;
        _ = Task.Run(async () =>
        {
            try
            {
                while (await watch.ResponseStream.MoveNext(CancellationToken.None))
                {
                    if (watch.ResponseStream.Current.CatalogChanged is { } changed)
                    {
                        Hash = changed.CatalogHash.Length > 0 ? changed.CatalogHash : Hash;
                        onCatalogChanged(this);
                    }
                }
                onBroken(this, new InvalidOperationException("the Watch stream ended"));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && _watch is null)
            {
            }
            catch (Exception e)
            {
                onBroken(this, e);
            }
        });
    }

    /// <summary>An unchanged check-in: the agent sends its facts and the hash it holds.</summary>
    public async Task CheckInAsync(CancellationToken cancellationToken)
    {
        var answer = await _client.GetCatalogAsync(new GetCatalogRequest { Facts = Facts(Name), CurrentHash = Hash }, new CallOptions(CancellationToken: cancellationToken));
        if (!answer.Unchanged)
        {
            throw new InvalidOperationException($"{Name}: expected 'unchanged' for {Hash}, got {answer.CatalogHash}");
        }
    }

    /// <summary>A client-streamed report: run start, 50 outcomes (the first <paramref name="changed"/> changed), run end, sent in one flush (or one per message).</summary>
    /// <param name="flushEach">Flush every message on its own (an agent whose outcomes finish one at a time).</param>
    public async Task ReportAsync(bool flushEach, int changed, CancellationToken cancellationToken)
    {
        using var call = _client.Report(new CallOptions(CancellationToken: cancellationToken));
        // As the agent sends outcomes that finish together (or a spooled run): queued, one flush at the end.
        call.RequestStream.WriteOptions = flushEach ? null : WriteOptions.Buffered;
        var runId = Guid.NewGuid().ToString("N");
        await call.RequestStream.WriteAsync(new ReportMessage { Start = new RunStart { RunId = runId, Mode = RunMode.Enforce, CatalogHash = Hash, StartedAt = Timestamp.FromDateTime(DateTime.UtcNow) } }, cancellationToken);
        for (var r = 0; r < 50; r++)
        {
            await call.RequestStream.WriteAsync(new ReportMessage
            {
                Outcome = new ResourceOutcome { ResourceId = $"file:/etc/colabo/f{r}", Kind = "file", Role = "base", Status = r < changed ? OutcomeStatus.Changed : OutcomeStatus.InSync },
            }, cancellationToken);
        }
        await call.RequestStream.WriteAsync(new ReportMessage { End = new RunSummary { RunId = runId, CatalogHash = Hash, FinishedAt = Timestamp.FromDateTime(DateTime.UtcNow), Total = 50 } }, cancellationToken);
        await call.RequestStream.CompleteAsync();
        await call;
    }

    public static Facts Facts(string name) => new() { Hostname = name, Os = "debian", OsFamily = "Debian", Release = "12", Arch = "amd64", Cpus = 2 };

    public void Dispose()
    {
        var watch = _watch;
        _watch = null;
        watch?.Dispose();
        _channel.Dispose();
        Certificate.Dispose();
    }
}
