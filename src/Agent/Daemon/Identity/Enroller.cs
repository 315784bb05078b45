using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Daemon.Identity;

/// <summary>
/// First contact: a fresh EC P-256 key made here (it never leaves the host), a CSR, the one-time
/// token and the facts go to Enroll over TLS pinned to the CA fingerprint cloud-init wrote. The
/// returned CA must have exactly that fingerprint; it is then the only CA the agent trusts.
/// </summary>
public static class Enroller
{
    /// <summary>
    /// TLS never carries a self-signed root, so the CA cannot be pinned inside the handshake. The CA is
    /// fetched from the master's anonymous /ca.crt without trusting the connection, and accepted only
    /// if its SHA-256 fingerprint is the pinned one; the token is then sent over TLS verified against it.
    /// </summary>
    public static async Task<X509Certificate2> FetchPinnedCaAsync(Uri master, string pin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(master);
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Nothing secret is sent on this connection; what comes back is checked against the pin.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = 64 * 1024 };
        string pem;
        try
        {
            pem = await http.GetStringAsync(new Uri(master, "/ca.crt"), cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EnrollmentException($"cannot fetch the master CA from {new Uri(master, "/ca.crt")}: {e.Message}", new RpcException(StatusCode.Unavailable, e.Message));
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EnrollmentException($"fetching the master CA from {new Uri(master, "/ca.crt")} timed out", new RpcException(StatusCode.Unavailable, e.Message));
        }

        X509Certificate2 ca;
        try
        {
            ca = X509Certificate2.CreateFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new EnrollmentException($"{new Uri(master, "/ca.crt")} did not return a PEM certificate: {e.Message}");
        }

        var actual = NodeIdentity.Fingerprint(ca);
        if (actual != pin)
        {
            ca.Dispose();
            throw new EnrollmentException($"the master's CA has fingerprint {actual}, not the pinned {pin}: refusing to send the token (wrong master, or someone in between)");
        }

        return ca;
    }

    public static async Task<EnrollResponse> EnrollAsync(AgentState state, Uri master, string token, string caFingerprint, string? nodeName, Contracts.V1.Facts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(facts);
        var pin = NodeIdentity.NormalizeFingerprint(caFingerprint);
        if (pin.Length != 64 || !pin.All(char.IsAsciiHexDigit))
        {
            throw new EnrollmentException($"'{caFingerprint}' is not a SHA-256 fingerprint (64 hex digits, colons and a 'sha256:' prefix allowed)");
        }

        var name = nodeName is { Length: > 0 } ? nodeName : facts.Fqdn.Length > 0 ? facts.Fqdn : facts.Hostname;
        var (key, csr) = NodeIdentity.NewKeyAndRequest(name);
        using (key)
        {
            using var pinnedCa = await FetchPinnedCaAsync(master, pin, cancellationToken);
            using var channel = new RpcChannel(master, new RpcChannelOptions { TrustedCertificateAuthority = pinnedCa });
            var client = new AgentService.AgentServiceClient(channel);
            EnrollResponse response;
            try
            {
                response = await client.EnrollAsync(
                    new EnrollRequest { Token = token.Trim(), CsrPem = csr, Facts = facts, NodeName = nodeName ?? string.Empty },
                    CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellationToken));
            }
            catch (RpcException e)
            {
                throw new EnrollmentException($"enrollment at {master} failed: {e.StatusCode}: {e.Status.Detail}", e);
            }

            using var ca = X509Certificate2.CreateFromPem(response.CaCertificatePem);
            if (NodeIdentity.Fingerprint(ca) != pin)
            {
                throw new EnrollmentException($"the master returned a CA with fingerprint {NodeIdentity.Fingerprint(ca)}, not the pinned {pin}: refusing it");
            }

            using var certificate = X509Certificate2.CreateFromPem(response.CertificatePem);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(certificate))
            {
                throw new EnrollmentException("the certificate the master returned does not chain to its CA");
            }

            NodeIdentity.Save(state, key, response.CertificatePem, response.CaCertificatePem);
            AgentState.WriteAtomically(state.MasterFile, master.ToString());
            Scheduling.RunInterval.Store(state, response.RunIntervalSeconds);
            if (File.Exists(state.RevokedFile))
            {
                File.Delete(state.RevokedFile);
            }

            return response;
        }
    }
}
