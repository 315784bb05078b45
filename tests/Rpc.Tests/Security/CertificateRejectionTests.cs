using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Colabo.Config.Rpc.Server;
using Colabo.Config.Rpc.Server.Health;
using Colabo.Config.Rpc.Tests.Protos;
using Colabo.Config.Rpc.Tests.Support;
using Grpc.Health.V1;

namespace Colabo.Config.Rpc.Tests.Security;

public sealed class CertificateRejectionTests
{
    private static async Task<RpcTestServer> StartAsync(MutualTls tls, IClientCertificateRevocationCheck? revocation = null) =>
        await RpcTestServer.StartAsync(tls.ServerOptions(revocation), app =>
        {
            app.MapRpcService(new EchoService());
            app.MapRpcService(new HealthService());
        });

    [Fact(Timeout = 30_000)]
    public async Task A_client_without_a_certificate_gets_unauthenticated_on_protected_methods_but_health_answers()
    {
        var tls = new MutualTls();
        await using var server = await StartAsync(tls);
        using var channel = new RpcChannel(server.Address, new RpcChannelOptions { TrustedCertificateAuthority = tls.Pki.AuthorityPublic });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));
        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("requires a client certificate", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_certificate_from_another_CA_is_refused_with_a_clear_error_on_both_sides()
    {
        var tls = new MutualTls();
        var stranger = TestPki.Create("Some Other CA").IssueClient("intruder");
        await using var server = await StartAsync(tls);
        using var channel = new RpcChannel(server.Address, tls.ClientOptions(stranger));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(error.Status.Detail.Contains("rejected our client certificate 'CN=intruder'", StringComparison.Ordinal), Describe(error));
        Assert.Contains(server.Logs.Lines, l => l.Contains("CN=intruder", StringComparison.Ordinal) && l.Contains("does not chain to the configured CA", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_expired_certificate_is_refused_and_the_server_log_says_it_expired()
    {
        var tls = new MutualTls();
        var expired = tls.Pki.IssueClient("old-node", DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-30));
        await using var server = await StartAsync(tls);
        using var channel = new RpcChannel(server.Address, tls.ClientOptions(expired));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(error.Status.Detail.Contains("rejected our client certificate 'CN=old-node'", StringComparison.Ordinal), Describe(error));
        Assert.Contains(server.Logs.Lines, l => l.Contains("CN=old-node", StringComparison.Ordinal) && l.Contains("expired", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_certificate_the_revocation_hook_refuses_is_rejected_at_the_handshake()
    {
        var tls = new MutualTls();
        var revoked = new RevocationList();
        revoked.Revoke(tls.ClientCertificate);
        await using var server = await StartAsync(tls, revoked);
        using var channel = new RpcChannel(server.Address, tls.ClientOptions());

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(error.Status.Detail.Contains("rejected our client certificate", StringComparison.Ordinal), Describe(error));
        Assert.Contains(server.Logs.Lines, l => l.Contains("has been revoked", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_answers_revocations_with_a_status_lets_the_handshake_through_and_every_call_says_certificate_revoked()
    {
        var tls = new MutualTls();
        var revoked = new RevocationList();
        revoked.Revoke(tls.ClientCertificate);
        await using var server = await RpcTestServer.StartAsync(tls.ServerOptions(revoked) with { RefuseRevokedCertificatesAtHandshake = false }, app =>
        {
            app.MapRpcService(new EchoService());
            app.MapRpcService(new HealthService());
        });
        using var channel = new RpcChannel(server.Address, tls.ClientOptions());

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(ErrorReason.CertificateRevoked, ErrorReason.Of(error));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_certificate_revoked_while_connected_is_refused_on_the_next_call()
    {
        var tls = new MutualTls();
        var revoked = new RevocationList();
        await using var server = await StartAsync(tls, revoked);
        using var channel = new RpcChannel(server.Address, tls.ClientOptions());
        var client = new TestService.TestServiceClient(channel);
        await client.UnaryAsync(new EchoRequest());

        revoked.Revoke(tls.ClientCertificate);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("has been revoked", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_certificate_from_another_CA_is_refused_by_the_client_with_the_reason()
    {
        var tls = new MutualTls();
        await using var server = await StartAsync(tls);
        var otherCa = TestPki.Create("Not The Master CA");
        using var channel = new RpcChannel(server.Address, tls.ClientOptions() with { TrustedCertificateAuthority = otherCa.AuthorityPublic });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("we rejected the server", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Not The Master CA", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pinned_fingerprint_is_enough_to_trust_the_server_and_a_wrong_pin_is_refused()
    {
        var tls = new MutualTls();
        await using var server = await StartAsync(tls);
        var pin = tls.ServerCertificate.GetCertHashString(HashAlgorithmName.SHA256);
        using var pinned = new RpcChannel(server.Address, new RpcChannelOptions { PinnedSha256Fingerprint = pin, ClientCertificate = tls.ClientCertificate });
        using var wrong = new RpcChannel(server.Address, new RpcChannelOptions { PinnedSha256Fingerprint = new string('A', 64), ClientCertificate = tls.ClientCertificate });

        var reply = await new TestService.TestServiceClient(pinned).UnaryAsync(new EchoRequest { Text = "pinned" });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(wrong).UnaryAsync(new EchoRequest()));

        Assert.Equal("pinned", reply.Text);
        Assert.Contains("pinned SHA-256 fingerprint", error.Status.Detail, StringComparison.Ordinal);
    }

    private static string Describe(Exception error)
    {
        var lines = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            lines.Add($"{e.GetType().Name}: {e.Message}{(e is HttpRequestException h ? $" ({h.HttpRequestError})" : "")}");
        }
        return string.Join(" | ", lines);
    }

    private sealed class RevocationList : IClientCertificateRevocationCheck
    {
        private readonly ConcurrentDictionary<string, bool> _serials = new();

        public void Revoke(X509Certificate2 certificate) => _serials[certificate.SerialNumber] = true;

        public bool IsRevoked(X509Certificate2 certificate) => _serials.ContainsKey(certificate.SerialNumber);
    }
}
