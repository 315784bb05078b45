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
            using var channel = new RpcChannel(master, new RpcChannelOptions { PinnedSha256Fingerprint = pin });
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
            if (File.Exists(state.RevokedFile))
            {
                File.Delete(state.RevokedFile);
            }

            return response;
        }
    }
}
