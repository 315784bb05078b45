using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Daemon.Identity;

/// <summary>RenewCertificate over the existing mTLS channel with a new key; the new pair replaces the old on disk and in the connection.</summary>
public static class CertificateRenewer
{
    public static async Task<NodeIdentity> RenewAsync(AgentState state, MasterConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(connection);
        var (key, csr) = NodeIdentity.NewKeyAndRequest(connection.Identity.NodeName);
        using (key)
        {
            var response = await connection.Client.RenewCertificateAsync(
                new RenewCertificateRequest { CsrPem = csr },
                CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellationToken));
            NodeIdentity.Save(state, key, response.CertificatePem, response.CaCertificatePem);
            var renewed = NodeIdentity.Load(state);
            connection.Replace(renewed);
            return renewed;
        }
    }
}
