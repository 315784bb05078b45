using Colabo.Config.Agent.Daemon.Identity;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Rpc;

namespace Colabo.Config.Agent.Daemon;

/// <summary>The mTLS channel to the master with the node's current certificate; replaced after a renewal.</summary>
public sealed class MasterConnection : IDisposable
{
    private RpcChannel _channel;

    public MasterConnection(Uri master, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(identity);
        Master = master;
        Identity = identity;
        _channel = Open(master, identity);
        Client = new AgentService.AgentServiceClient(_channel);
    }

    public Uri Master { get; }

    public NodeIdentity Identity { get; private set; }

    public AgentService.AgentServiceClient Client { get; private set; }

    /// <summary>Switches to a renewed identity; calls in flight finish on the old channel.</summary>
    public void Replace(NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var old = _channel;
        var oldIdentity = Identity;
        _channel = Open(Master, identity);
        Client = new AgentService.AgentServiceClient(_channel);
        Identity = identity;
        old.Dispose();
        oldIdentity.Dispose();
    }

    public void Dispose()
    {
        _channel.Dispose();
        Identity.Dispose();
    }

    private static RpcChannel Open(Uri master, NodeIdentity identity) =>
        new(master, new RpcChannelOptions
        {
            ClientCertificate = identity.Certificate,
            TrustedCertificateAuthority = identity.Ca,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
}
