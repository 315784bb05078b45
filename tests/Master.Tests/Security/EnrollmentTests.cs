using Colabo.Config.Master.Security;
using Colabo.Config.Master.Tests.Support;

namespace Colabo.Config.Master.Tests.Security;

public sealed class EnrollmentTests
{
    [Fact(Timeout = 30_000)]
    public async Task Tokens_are_stored_hashed_never_in_clear()
    {
        await using var master = await DomainHarness.StartAsync();

        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest { Roles = ["web"] }, "alice", default);

        Assert.StartsWith("cbt_" + token.Record.Id + "_", token.Secret, StringComparison.Ordinal);
        var stored = Assert.Single(await master.Store.ListTokensAsync(default));
        Assert.Equal(Enrollment.Hash(token.Secret), stored.Hash);
        var database = await File.ReadAllBytesAsync(master.Paths.SqliteDatabase);
        Assert.DoesNotContain(token.Secret, System.Text.Encoding.UTF8.GetString(database), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Enrollment_records_the_node_with_the_tokens_roles_and_environment()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest { Roles = ["base", "web"], Environment = "staging" }, "alice", default);

        var result = await master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "Web-1", """{"os":"debian"}""", default);

        Assert.Equal("web-1", result.NodeName);
        var node = await master.Store.GetNodeAsync("web-1", default);
        Assert.Equal(["base", "web"], node!.Roles);
        Assert.Equal("staging", node.Environment);
        Assert.Equal(result.Certificate.Serial, node.CertificateSerial);
        Assert.Equal("""{"os":"debian"}""", node.FactsJson);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_reused_one_time_token_is_refused()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest(), "alice", default);
        await master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "web-1", "{}", default);

        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "web-2", "{}", default));

        Assert.Equal(MasterErrorKind.Unauthenticated, error.Kind);
        Assert.Contains("already been used", error.Message, StringComparison.Ordinal);
        Assert.Null(await master.Store.GetNodeAsync("web-2", default));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_expired_token_is_refused()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest { ExpiresIn = TimeSpan.FromMinutes(10) }, "alice", default);
        master.Time.Advance(TimeSpan.FromMinutes(11));

        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "web-1", "{}", default));

        Assert.Equal(MasterErrorKind.Unauthenticated, error.Kind);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_name_outside_the_tokens_pattern_is_refused_without_spending_the_token()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest { NamePattern = "web-*" }, "alice", default);

        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "db-1", "{}", default));
        var accepted = await master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "web-7", "{}", default);

        Assert.Equal(MasterErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("web-*", error.Message, StringComparison.Ordinal);
        Assert.Equal("web-7", accepted.NodeName);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_token_for_three_nodes_enrolls_three_then_refuses()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest { MaxUses = 3 }, "alice", default);

        for (var i = 1; i <= 3; i++)
        {
            await master.Enrollment.EnrollAsync(token.Secret, Csr.New(), $"web-{i}", "{}", default);
        }

        await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "web-4", "{}", default));
        Assert.Equal(3, (await master.Store.ListNodesAsync(default)).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_and_revoked_tokens_are_refused()
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest(), "alice", default);
        await master.Store.RevokeTokenAsync(token.Record.Id, default);

        var revoked = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, Csr.New(), "web-1", "{}", default));
        var unknown = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync("cbt_nope", Csr.New(), "web-1", "{}", default));

        Assert.Contains("revoked", revoked.Message, StringComparison.Ordinal);
        Assert.Contains("not known", unknown.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Re_enrolling_a_name_revokes_the_certificates_of_the_old_host()
    {
        await using var master = await DomainHarness.StartAsync();
        var first = await master.EnrollAsync("web-1");

        var second = await master.EnrollAsync("web-1");

        Assert.True(master.Revocations.IsRevoked(first.Certificate.Serial));
        Assert.False(master.Revocations.IsRevoked(second.Certificate.Serial));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-web")]
    [InlineData("web 1")]
    [InlineData("web/1")]
    public async Task An_invalid_node_name_is_refused(string name)
    {
        await using var master = await DomainHarness.StartAsync();
        var token = await master.Enrollment.CreateTokenAsync(new TokenRequest(), "alice", default);

        var error = await Assert.ThrowsAsync<MasterException>(() => master.Enrollment.EnrollAsync(token.Secret, Csr.New(), name, "{}", default));

        Assert.Equal(MasterErrorKind.InvalidArgument, error.Kind);
    }
}
