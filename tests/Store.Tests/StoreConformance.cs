using Colabo.Config.Store;

namespace Colabo.Config.Store.Tests;

/// <summary>
/// The store conformance suite: every provider derives from this class and must pass all of it.
/// Each test gets a fresh, empty store.
/// </summary>
public abstract partial class StoreConformance : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private IConfigStore? _store;

    protected IConfigStore Store => _store ?? throw new InvalidOperationException("not initialized");

    /// <summary>Creates a new, empty, initialized store.</summary>
    protected abstract Task<IConfigStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <summary>Runs SQL against the store's database (to set up what an older version left).</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private static CancellationToken Ct => CancellationToken.None;

    [Fact(Timeout = 30_000)]
    public async Task Initializing_twice_is_harmless()
    {
        await Store.InitializeAsync(Ct);
        Assert.Empty(await Store.ListNodesAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_upserted_node_reads_back_with_every_field()
    {
        var node = Node("web-1") with
        {
            Roles = ["base", "web"],
            FactsJson = """{"os":"debian"}""",
            CatalogHash = "sha256:aa",
            AppliedHash = "sha256:bb",
            LastSeenAt = T0.AddMinutes(1),
            LastReportAt = T0.AddMinutes(2),
            LastRunId = "r1",
            LastRunState = "converged",
            CertificateSerial = "0A",
        };

        await Store.UpsertNodeAsync(node, Ct);

        Assert.Equal(node, await Store.GetNodeAsync("web-1", Ct), NodeComparer.Instance);
        Assert.Null(await Store.GetNodeAsync("web-2", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Nodes_are_listed_by_name_and_an_upsert_replaces_the_record()
    {
        await Store.UpsertNodeAsync(Node("db-1"), Ct);
        await Store.UpsertNodeAsync(Node("app-1"), Ct);
        await Store.UpsertNodeAsync(Node("db-1") with { Environment = "staging" }, Ct);

        var nodes = await Store.ListNodesAsync(Ct);

        Assert.Equal(["app-1", "db-1"], nodes.Select(n => n.Name));
        Assert.Equal("staging", nodes[1].Environment);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_check_in_records_facts_catalog_hash_and_time_and_keeps_facts_when_none_are_sent()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);

        await Store.RecordCheckInAsync("web-1", """{"os":"debian"}""", "sha256:1", T0.AddMinutes(5), Ct);
        await Store.RecordCheckInAsync("web-1", null, "sha256:2", T0.AddMinutes(6), Ct);

        var node = await Store.GetNodeAsync("web-1", Ct);
        Assert.Equal("""{"os":"debian"}""", node!.FactsJson);
        Assert.Equal("sha256:2", node.CatalogHash);
        Assert.Equal(T0.AddMinutes(6), node.LastSeenAt);
    }

    [Fact(Timeout = 30_000)]
    public async Task Catalog_bytes_round_trip_by_hash_and_a_second_put_is_harmless()
    {
        byte[] body = [1, 2, 3, 0, 255];

        await Store.PutCatalogAsync("sha256:c", body, Ct);
        await Store.PutCatalogAsync("sha256:c", body, Ct);

        Assert.Equal(body, await Store.GetCatalogAsync("sha256:c", Ct));
        Assert.Null(await Store.GetCatalogAsync("sha256:d", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Catalogs_put_as_a_batch_are_all_stored_and_one_already_stored_keeps_its_bytes()
    {
        await Store.PutCatalogAsync("sha256:c0", [9, 9], Ct);

        await Store.PutCatalogsAsync([.. Enumerable.Range(0, 300).Select(i => KeyValuePair.Create($"sha256:c{i}", new[] { (byte)(i % 256), (byte)1 }))], Ct);

        Assert.Equal([9, 9], await Store.GetCatalogAsync("sha256:c0", Ct));
        for (var i = 1; i < 300; i++)
        {
            Assert.Equal(new[] { (byte)(i % 256), (byte)1 }, await Store.GetCatalogAsync($"sha256:c{i}", Ct));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_setting_added_if_absent_keeps_the_first_value_and_set_overwrites()
    {
        Assert.Equal("one", await Store.AddSettingIfAbsentAsync("ca", "one", Ct));
        Assert.Equal("one", await Store.AddSettingIfAbsentAsync("ca", "two", Ct));

        await Store.SetSettingAsync("ca", "three", Ct);

        Assert.Equal("three", await Store.GetSettingAsync("ca", Ct));
        Assert.Null(await Store.GetSettingAsync("missing", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_one_time_token_is_accepted_once_then_refused_as_used_up()
    {
        await Store.AddTokenAsync(Token("t1", "h1"), Ct);

        var first = await Store.UseTokenAsync("h1", T0, Ct);
        var second = await Store.UseTokenAsync("h1", T0, Ct);

        Assert.Equal(TokenUseOutcome.Accepted, first.Outcome);
        Assert.Equal(["base"], first.Token!.Roles);
        Assert.Equal(TokenUseOutcome.UsedUp, second.Outcome);
        Assert.Equal(1, (await Store.FindTokenByHashAsync("h1", Ct))!.Uses);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_token_with_three_uses_accepts_exactly_three()
    {
        await Store.AddTokenAsync(Token("t1", "h1") with { MaxUses = 3 }, Ct);

        var outcomes = new List<TokenUseOutcome>();
        for (var i = 0; i < 4; i++)
        {
            outcomes.Add((await Store.UseTokenAsync("h1", T0, Ct)).Outcome);
        }

        Assert.Equal([TokenUseOutcome.Accepted, TokenUseOutcome.Accepted, TokenUseOutcome.Accepted, TokenUseOutcome.UsedUp], outcomes);
    }

    [Fact(Timeout = 30_000)]
    public async Task Expired_revoked_and_unknown_tokens_are_refused_with_their_reason()
    {
        await Store.AddTokenAsync(Token("old", "h-old") with { ExpiresAt = T0 }, Ct);
        await Store.AddTokenAsync(Token("rev", "h-rev"), Ct);
        Assert.True(await Store.RevokeTokenAsync("rev", Ct));
        Assert.False(await Store.RevokeTokenAsync("rev", Ct));

        Assert.Equal(TokenUseOutcome.Expired, (await Store.UseTokenAsync("h-old", T0, Ct)).Outcome);
        Assert.Equal(TokenUseOutcome.Revoked, (await Store.UseTokenAsync("h-rev", T0, Ct)).Outcome);
        Assert.Equal(TokenUseOutcome.Unknown, (await Store.UseTokenAsync("h-none", T0, Ct)).Outcome);
    }

    [Fact(Timeout = 30_000)]
    public async Task Concurrent_uses_of_a_one_time_token_accept_exactly_one()
    {
        await Store.AddTokenAsync(Token("t1", "h1"), Ct);

        var uses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.UseTokenAsync("h1", T0, Ct))));

        Assert.Single(uses, u => u.Outcome == TokenUseOutcome.Accepted);
    }

    [Fact(Timeout = 30_000)]
    public async Task Tokens_are_listed_with_every_field()
    {
        var token = Token("t1", "h1") with { NamePattern = "web-*", Environment = "staging", Description = "web fleet", CreatedBy = "alice" };
        await Store.AddTokenAsync(token, Ct);

        var listed = Assert.Single(await Store.ListTokensAsync(Ct));

        Assert.Equal(token with { Roles = [] }, listed with { Roles = [] });
        Assert.Equal(token.Roles, listed.Roles);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_revoked_certificate_is_listed_once_with_its_reason()
    {
        await Store.AddCertificateAsync(Certificate("0A", "web-1"), Ct);
        await Store.AddCertificateAsync(Certificate("0B", "web-1"), Ct);
        await Store.AddCertificateAsync(Certificate("0C", "db-1"), Ct);

        Assert.True(await Store.RevokeCertificateAsync("0A", T0, "compromised", Ct));
        Assert.False(await Store.RevokeCertificateAsync("0A", T0, "again", Ct));
        Assert.False(await Store.RevokeCertificateAsync("FF", T0, "unknown", Ct));

        Assert.Equal(["0A"], await Store.ListRevokedSerialsAsync(Ct));
        var revoked = await Store.GetCertificateAsync("0A", Ct);
        Assert.Equal(T0, revoked!.RevokedAt);
        Assert.Equal("compromised", revoked.RevocationReason);
        Assert.Equal(2, (await Store.ListCertificatesAsync("web-1", Ct)).Count);
        Assert.Equal(3, (await Store.ListCertificatesAsync(null, Ct)).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Secrets_round_trip_are_listed_by_name_and_deleted()
    {
        await Store.SetSecretAsync("db_password", [9, 8, 7], T0, Ct);
        await Store.SetSecretAsync("api_key", [1], T0, Ct);
        await Store.SetSecretAsync("api_key", [2], T0, Ct);

        Assert.Equal([2], await Store.GetSecretAsync("api_key", Ct));
        Assert.Equal(["api_key", "db_password"], await Store.ListSecretNamesAsync(Ct));
        Assert.True(await Store.DeleteSecretAsync("api_key", Ct));
        Assert.False(await Store.DeleteSecretAsync("api_key", Ct));
        Assert.Null(await Store.GetSecretAsync("api_key", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_resent_run_is_recorded_once()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        var run = Run("web-1", "r1", T0);
        ChangeRecord[] changes = [Change("web-1", "r1", "file:/etc/motd", "corrective", T0)];

        Assert.True(await Store.SaveRunAsync(run, changes, [State("web-1", "r1", "file:/etc/motd", T0)], Ct));
        Assert.False(await Store.SaveRunAsync(run, changes, [State("web-1", "r1", "file:/etc/motd", T0)], Ct));

        Assert.Single(await Store.ListRunsAsync("web-1", null, 10, Ct));
        Assert.Single(await Store.QueryChangesAsync(new ChangeQuery(), Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_saved_run_updates_the_node_summary_and_the_resources_last_known_state()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        var run = Run("web-1", "r1", T0) with { State = "drifted", CatalogHash = "sha256:x", Changed = 1, Corrective = 1 };
        var state = State("web-1", "r1", "file:/etc/motd", T0) with { Status = "changed", LastChangedAt = T0, LastChangeClass = "corrective", DesiredDigest = "d1" };

        await Store.SaveRunAsync(run, [Change("web-1", "r1", "file:/etc/motd", "corrective", T0)], [state], Ct);

        var node = await Store.GetNodeAsync("web-1", Ct);
        Assert.Equal("r1", node!.LastRunId);
        Assert.Equal("drifted", node.LastRunState);
        Assert.Equal("sha256:x", node.AppliedHash);
        Assert.Equal(T0, node.LastReportAt);
        Assert.Equal(run, await Store.GetRunAsync("web-1", "r1", Ct));
        Assert.Equal([state], await Store.GetResourceStatesAsync("web-1", Ct));
        Assert.Equal("corrective", Assert.Single(await Store.ListChangesOfRunAsync("web-1", "r1", Ct)).Class);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_older_run_arriving_late_does_not_replace_the_node_summary()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        await Store.SaveRunAsync(Run("web-1", "new", T0.AddHours(1)), [], [], Ct);

        await Store.SaveRunAsync(Run("web-1", "old", T0), [], [], Ct);

        Assert.Equal("new", (await Store.GetNodeAsync("web-1", Ct))!.LastRunId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Runs_are_listed_newest_first_with_since_and_limit()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        for (var i = 0; i < 5; i++)
        {
            await Store.SaveRunAsync(Run("web-1", $"r{i}", T0.AddMinutes(i)), [], [], Ct);
        }

        var runs = await Store.ListRunsAsync("web-1", T0.AddMinutes(1), 3, Ct);

        Assert.Equal(["r4", "r3", "r2"], runs.Select(r => r.RunId));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_change_query_filters_by_node_glob_role_resource_glob_time_and_class()
    {
        foreach (var node in new[] { "web-1", "web_2", "db-1" })
        {
            await Store.UpsertNodeAsync(Node(node), Ct);
        }
        await Store.SaveRunAsync(Run("web-1", "a", T0), [
            Change("web-1", "a", "file:/etc/motd", "corrective", T0),
            Change("web-1", "a", "package:nginx", "intentional", T0) with { Role = "web" },
        ], [], Ct);
        await Store.SaveRunAsync(Run("web_2", "b", T0.AddHours(1)), [Change("web_2", "b", "file:/etc/nginx/nginx.conf", "corrective", T0.AddHours(1)) with { Role = "web" }], [], Ct);
        await Store.SaveRunAsync(Run("db-1", "c", T0.AddHours(2)), [Change("db-1", "c", "file:/etc/motd", "corrective", T0.AddHours(2))], [], Ct);

        var corrective = await Store.QueryChangesAsync(new ChangeQuery { Classes = ["corrective"] }, Ct);
        var webNodes = await Store.QueryChangesAsync(new ChangeQuery { NodeGlob = "web*" }, Ct);
        var literalUnderscore = await Store.QueryChangesAsync(new ChangeQuery { NodeGlob = "web_?" }, Ct);
        var webRole = await Store.QueryChangesAsync(new ChangeQuery { Role = "web" }, Ct);
        var etcFiles = await Store.QueryChangesAsync(new ChangeQuery { ResourceGlob = "file:/etc/*" }, Ct);
        var window = await Store.QueryChangesAsync(new ChangeQuery { Since = T0.AddMinutes(30), Until = T0.AddHours(2) }, Ct);
        var caseSensitive = await Store.QueryChangesAsync(new ChangeQuery { NodeGlob = "WEB*" }, Ct);
        var limited = await Store.QueryChangesAsync(new ChangeQuery { Limit = 1 }, Ct);

        Assert.Equal(["db-1", "web_2", "web-1"], corrective.Select(c => c.Node));
        Assert.Equal(3, webNodes.Count);
        Assert.Equal(["web_2"], literalUnderscore.Select(c => c.Node));
        Assert.Equal(["file:/etc/nginx/nginx.conf", "package:nginx"], webRole.Select(c => c.ResourceId));
        Assert.Equal(3, etcFiles.Count);
        Assert.Equal(["web_2"], window.Select(c => c.Node));
        Assert.Empty(caseSensitive);
        Assert.Equal(["db-1"], limited.Select(c => c.Node));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_runs_changes_keep_every_field_whatever_text_they_hold_and_a_resource_reported_twice_counts_once()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        var motd = Change("web-1", "r1", "file:/etc/motd", "corrective", T0) with
        {
            Message = "quote \" backslash \\ tab\t newline\n <&> émile 🙂",
            ChangesJson = """[{"property":"content","before":"a\"b","after":"c\\d"}]""",
        };
        var nginx = Change("web-1", "r1", "package:nginx", "intentional", T0.AddSeconds(3)) with { Role = "web", CatalogHash = "sha256:other" };

        await Store.SaveRunAsync(Run("web-1", "r1", T0.AddSeconds(5)), [nginx, motd, motd with { Status = "failed" }], [], Ct);

        Assert.Equal([motd, nginx], await Store.ListChangesOfRunAsync("web-1", "r1", Ct));
        Assert.Equal([nginx, motd], await Store.QueryChangesAsync(new ChangeQuery(), Ct));
        Assert.Empty(await Store.ListChangesOfRunAsync("web-1", "unknown", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Time_ranges_and_counts_go_by_each_changes_own_time_not_its_runs()
    {
        // One run whose changes span an hour: a window holding only part of it gets only that part.
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        await Store.SaveRunAsync(Run("web-1", "r1", T0.AddHours(1)), [
            Change("web-1", "r1", "file:/early", "corrective", T0),
            Change("web-1", "r1", "file:/late", "intentional", T0.AddHours(1)),
        ], [], Ct);

        var afterHalf = await Store.QueryChangesAsync(new ChangeQuery { Since = T0.AddMinutes(30) }, Ct);
        var beforeHalf = await Store.QueryChangesAsync(new ChangeQuery { Until = T0.AddMinutes(30) }, Ct);
        var aggregates = (IFleetAggregates)Store;
        var buckets = await aggregates.CountChangesOverTimeAsync(T0.AddMinutes(30), TimeSpan.FromHours(1), Ct);
        var byResource = await aggregates.CountChangesByResourceAsync(T0.AddMinutes(-1), null, 10, Ct);
        var byRole = await aggregates.CountChangesByRoleAsync(T0.AddMinutes(30), Ct);
        var byNode = await aggregates.CountChangesByNodeAsync(T0.AddMinutes(-1), "file:/early", 10, Ct);

        Assert.Equal(["file:/late"], afterHalf.Select(c => c.ResourceId));
        Assert.Equal(["file:/early"], beforeHalf.Select(c => c.ResourceId));
        Assert.Equal([new ChangeBucket(T0.AddHours(1), "intentional", 1, 1)], buckets);
        Assert.Equal(["file:/early", "file:/late"], byResource.Select(r => r.ResourceId));
        Assert.Equal([(1, 0)], byResource.Where(r => r.ResourceId == "file:/early").Select(r => (r.Corrective, r.Intentional)));
        Assert.Equal([("base", 0, 1)], byRole.Select(r => (r.Role, r.Corrective, r.Intentional)));
        Assert.Equal([("web-1", 1)], byNode.Select(n => (n.Node, n.Corrective)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Changes_an_older_version_kept_one_row_per_change_are_read_after_the_upgrade()
    {
        // What versions before run_changes created and wrote: one row per node, run and resource.
        await ExecuteSqlAsync("DROP TABLE run_changes");
        await ExecuteSqlAsync("""
            CREATE TABLE changes (
              node TEXT NOT NULL, run_id TEXT NOT NULL, resource_id TEXT NOT NULL, kind TEXT NOT NULL,
              role TEXT NOT NULL, status TEXT NOT NULL, change_class TEXT NOT NULL, changes TEXT NOT NULL,
              message TEXT NOT NULL, at BIGINT NOT NULL, catalog_hash TEXT NOT NULL,
              PRIMARY KEY (node, run_id, resource_id))
            """);
        var t0 = T0.ToUnixTimeMilliseconds();
        await ExecuteSqlAsync($$"""
            INSERT INTO changes VALUES
              ('web-1', 'r1', 'file:/etc/motd', 'file', 'base', 'changed', 'corrective', '[{"property":"content","before":"a","after":"b"}]', 'it''s "new"', {{t0}}, 'sha256:c'),
              ('web-1', 'r1', 'package:nginx', 'package', 'web', 'failed', 'failed', '[]', 'apt-get failed', {{t0 + 1000}}, 'sha256:c'),
              ('db-1', 'r9', 'file:/etc/issue', 'file', 'base', 'changed', 'intentional', '[]', '', {{t0 + 60000}}, 'sha256:d')
            """);
        await Store.UpsertNodeAsync(Node("web-1"), Ct);

        await Store.InitializeAsync(Ct);

        Assert.Equal(
        [
            Change("web-1", "r1", "file:/etc/motd", "corrective", T0) with { Message = "it's \"new\"" },
            Change("web-1", "r1", "package:nginx", "failed", T0.AddSeconds(1)) with { Role = "web", Status = "failed", ChangesJson = "[]", Message = "apt-get failed" },
        ], await Store.ListChangesOfRunAsync("web-1", "r1", Ct));
        Assert.Equal(
            [Change("db-1", "r9", "file:/etc/issue", "intentional", T0.AddMinutes(1)) with { ChangesJson = "[]", CatalogHash = "sha256:d" }],
            await Store.QueryChangesAsync(new ChangeQuery { Since = T0.AddSeconds(30) }, Ct));
        // The old table is gone (a second start finds nothing to move) and new runs are logged beside what moved.
        await Store.InitializeAsync(Ct);
        await Store.SaveRunAsync(Run("web-1", "r2", T0.AddMinutes(30)), [Change("web-1", "r2", "file:/etc/motd", "corrective", T0.AddMinutes(30))], [], Ct);
        Assert.Equal(4, (await Store.QueryChangesAsync(new ChangeQuery(), Ct)).Count);
        await Assert.ThrowsAnyAsync<Exception>(() => ExecuteSqlAsync("SELECT 1 FROM changes"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_runs_states_replace_the_nodes_unless_a_run_that_finished_later_wrote_them()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        var motd = State("web-1", "r1", "file:/etc/motd", T0) with { Status = "changed", LastChangedAt = T0, LastChangeClass = "corrective", DesiredDigest = "d1" };
        var nginx = State("web-1", "r1", "package:nginx", T0) with { DesiredDigest = "d2", CatalogHash = "sha256:c" };
        var cron = State("web-1", "r1", "service:cron", T0);
        await Store.SaveRunAsync(Run("web-1", "r1", T0), [], [motd, nginx, cron], Ct);
        var nginxFailed = State("web-1", "r2", "package:nginx", T0.AddMinutes(30)) with { Status = "failed", Message = "apt-get failed", DesiredDigest = "d2" };

        // The whole set: a resource the node no longer has (cron) goes.
        await Store.SaveRunAsync(Run("web-1", "r2", T0.AddMinutes(30)), [], [motd, nginxFailed], Ct);
        Assert.Equal([motd, nginxFailed], await Store.GetResourceStatesAsync("web-1", Ct));

        // A run with no states leaves them; one that finished before the run that wrote them (committed
        // late, say through another replica) does not replace them, though the run itself is recorded.
        await Store.SaveRunAsync(Run("web-1", "r3", T0.AddMinutes(60)), [], [], Ct);
        Assert.True(await Store.SaveRunAsync(Run("web-1", "r0", T0.AddMinutes(10)), [], [State("web-1", "r0", "file:/etc/motd", T0.AddMinutes(10))], Ct));
        Assert.Equal([motd, nginxFailed], await Store.GetResourceStatesAsync("web-1", Ct));
        Assert.Empty(await Store.GetResourceStatesAsync("web-2", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task States_an_older_version_merged_in_the_database_are_read_and_replaced_after_the_upgrade()
    {
        // What the version before wrote: no finish time of the writing run, and on PostgreSQL a jsonb value.
        await ExecuteSqlAsync("DROP TABLE node_states");
        await ExecuteSqlAsync($"CREATE TABLE node_states (node TEXT PRIMARY KEY, states {StatesColumnTypeBefore} NOT NULL)");
        var t0 = T0.ToUnixTimeMilliseconds();
        await ExecuteSqlAsync($$"""
            INSERT INTO node_states VALUES ('web-1', '{"file:/etc/motd": ["file", "base", "changed", "it''s", "r1", {{t0}}, {{t0}}, "corrective", "d1", "sha256:c"]}')
            """);
        await Store.UpsertNodeAsync(Node("web-1"), Ct);

        await Store.InitializeAsync(Ct);

        var motd = State("web-1", "r1", "file:/etc/motd", T0) with
        {
            Status = "changed", Message = "it's", LastChangedAt = T0, LastChangeClass = "corrective", DesiredDigest = "d1", CatalogHash = "sha256:c",
        };
        Assert.Equal([motd], await Store.GetResourceStatesAsync("web-1", Ct));
        // Any run replaces what was kept before (as written by a run finished at time zero).
        var nginx = State("web-1", "r2", "package:nginx", T0.AddMinutes(30));
        await Store.SaveRunAsync(Run("web-1", "r2", T0.AddMinutes(30)), [], [motd, nginx], Ct);
        await Store.InitializeAsync(Ct);
        Assert.Equal([motd, nginx], await Store.GetResourceStatesAsync("web-1", Ct));
    }

    /// <summary>The type of <c>node_states.states</c> in the version before this one.</summary>
    protected virtual string StatesColumnTypeBefore => "TEXT";

    [Fact(Timeout = 30_000)]
    public async Task Resource_states_keep_every_field_whatever_text_they_hold()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        ResourceStateRecord[] states =
        [
            State("web-1", "r1", "file:/etc/it's \"quoted\" \\ back\\slash", T0) with { Message = "line 1\nline 2\ttab \u0001 ünïcödé 🚀" },
            State("web-1", "r1", "exec:echo {\"a\": [1, null]}", T0.AddMilliseconds(1)) with
            {
                Kind = "exec", Role = "r\u00e9le", Status = "changed", LastChangedAt = T0.AddMilliseconds(1), LastChangeClass = "intentional",
                DesiredDigest = new string('f', 64), CatalogHash = "sha256:" + new string('a', 64), Message = "",
            },
            State("web-1", "r1", "user:émile", DateTimeOffset.FromUnixTimeMilliseconds(0)) with { LastChangedAt = null },
        ];

        await Store.SaveRunAsync(Run("web-1", "r1", T0), [], states, Ct);

        Assert.Equal(states.OrderBy(s => s.ResourceId, StringComparer.Ordinal), await Store.GetResourceStatesAsync("web-1", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task States_an_older_version_kept_one_row_per_resource_are_read_after_the_upgrade()
    {
        // What versions before node_states created and wrote: one row per node and resource.
        await ExecuteSqlAsync("DROP TABLE node_states");
        await ExecuteSqlAsync("""
            CREATE TABLE resource_states (
              node TEXT NOT NULL, resource_id TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL,
              status TEXT NOT NULL, message TEXT NOT NULL, run_id TEXT NOT NULL, updated_at BIGINT NOT NULL,
              last_changed_at BIGINT NULL, last_change_class TEXT NOT NULL, desired_digest TEXT NOT NULL,
              catalog_hash TEXT NOT NULL,
              PRIMARY KEY (node, resource_id))
            """);
        var t0 = T0.ToUnixTimeMilliseconds();
        await ExecuteSqlAsync($"""
            INSERT INTO resource_states VALUES
              ('web-1', 'file:/etc/motd', 'file', 'base', 'changed', 'it''s "new"', 'r1', {t0}, {t0}, 'corrective', 'd1', 'sha256:c'),
              ('web-1', 'package:nginx', 'package', 'web', 'in_sync', '', 'r1', {t0}, NULL, '', 'd2', 'sha256:c'),
              ('db-1', 'package:postgresql', 'package', 'db', 'failed', 'apt-get failed', 'r9', {t0 + 1}, NULL, '', '', '')
            """);
        await Store.UpsertNodeAsync(Node("web-1"), Ct);

        await Store.InitializeAsync(Ct);

        Assert.Equal(
        [
            State("web-1", "r1", "file:/etc/motd", T0) with
            {
                Status = "changed", Message = "it's \"new\"", LastChangedAt = T0, LastChangeClass = "corrective", DesiredDigest = "d1", CatalogHash = "sha256:c",
            },
            State("web-1", "r1", "package:nginx", T0) with { Role = "web", DesiredDigest = "d2", CatalogHash = "sha256:c" },
        ], await Store.GetResourceStatesAsync("web-1", Ct));
        Assert.Equal(
            [State("db-1", "r9", "package:postgresql", T0.AddMilliseconds(1)) with { Role = "db", Status = "failed", Message = "apt-get failed" }],
            await Store.GetResourceStatesAsync("db-1", Ct));
        // The old table is gone (a second start finds nothing to move) and new runs replace what moved.
        await Store.InitializeAsync(Ct);
        var moved = await Store.GetResourceStatesAsync("web-1", Ct);
        await Store.SaveRunAsync(Run("web-1", "r2", T0.AddMinutes(30)), [], [moved[0], State("web-1", "r2", "package:nginx", T0.AddMinutes(30))], Ct);
        Assert.Equal(["r1", "r2"], (await Store.GetResourceStatesAsync("web-1", Ct)).Select(s => s.RunId));
        await Assert.ThrowsAnyAsync<Exception>(() => ExecuteSqlAsync("SELECT 1 FROM resource_states"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Many_nodes_states_read_at_once_each_get_their_own_and_a_node_without_states_gets_none()
    {
        // Node actors read their states concurrently (hundreds of reports per second): each caller gets
        // exactly its node's states, in resource order.
        for (var n = 0; n < 40; n++)
        {
            await Store.UpsertNodeAsync(Node($"n{n}"), Ct);
            if (n % 2 == 0)
            {
                await Store.SaveRunAsync(Run($"n{n}", "r1", T0), [],
                    [.. Enumerable.Range(0, 1 + (n % 5)).Select(i => State($"n{n}", "r1", $"file:/etc/{n}-{i}", T0))], Ct);
            }
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Store.GetResourceStatesAsync($"n{i % 40}", Ct)));

        for (var i = 0; i < 200; i++)
        {
            var n = i % 40;
            Assert.Equal(n % 2 == 0 ? Enumerable.Range(0, 1 + (n % 5)).Select(r => $"file:/etc/{n}-{r}") : [], answers[i].Select(s => s.ResourceId));
            Assert.All(answers[i], s => Assert.Equal($"n{n}", s.Node));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Compaction_deletes_old_history_but_keeps_each_nodes_last_run_and_resource_states()
    {
        await Store.UpsertNodeAsync(Node("web-1"), Ct);
        await Store.SaveRunAsync(Run("web-1", "old", T0), [Change("web-1", "old", "file:/a", "corrective", T0)], [State("web-1", "old", "file:/a", T0)], Ct);
        await Store.SaveRunAsync(Run("web-1", "last", T0.AddDays(1)), [Change("web-1", "last", "file:/b", "corrective", T0.AddDays(1))], [], Ct);
        await Store.AddTokenAsync(Token("t", "h") with { ExpiresAt = T0 }, Ct);
        await Store.AddCertificateAsync(Certificate("0A", "web-1") with { NotAfter = T0 }, Ct);

        var result = await Store.CompactAsync(T0.AddDays(40), T0, Ct);

        Assert.Equal(new CompactionResult(1, 1, 1, 1, 0), result);
        Assert.Equal(["last"], (await Store.ListRunsAsync("web-1", null, 10, Ct)).Select(r => r.RunId));
        Assert.Equal(["file:/b"], (await Store.QueryChangesAsync(new ChangeQuery(), Ct)).Select(c => c.ResourceId));
        Assert.Single(await Store.GetResourceStatesAsync("web-1", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Compaction_deletes_archived_catalogs_that_no_node_holds_or_last_applied()
    {
        await Store.UpsertNodeAsync(Node("web-1") with { CatalogHash = "sha256:held", AppliedHash = "sha256:applied" }, Ct);
        foreach (var hash in new[] { "sha256:held", "sha256:applied", "sha256:old-1", "sha256:old-2" })
        {
            await Store.PutCatalogAsync(hash, [1, 2, 3], Ct);
        }

        // Stored just now: not older than a cutoff in the past, so nothing goes yet.
        Assert.Equal(0, (await Store.CompactAsync(T0, DateTimeOffset.UtcNow.AddDays(-1), Ct)).CatalogsDeleted);
        var result = await Store.CompactAsync(T0, DateTimeOffset.UtcNow.AddMinutes(1), Ct);

        Assert.Equal(2, result.CatalogsDeleted);
        Assert.NotNull(await Store.GetCatalogAsync("sha256:held", Ct));
        Assert.NotNull(await Store.GetCatalogAsync("sha256:applied", Ct));
        Assert.Null(await Store.GetCatalogAsync("sha256:old-1", Ct));
        Assert.Null(await Store.GetCatalogAsync("sha256:old-2", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_published_event_reaches_a_subscriber()
    {
        var received = new TaskCompletionSource<ClusterEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Store.Events.Subscribe(e => received.TrySetResult(e));

        await Store.Events.PublishAsync(new ClusterEvent(ClusterEvent.Revoked, "web-1", "0A"), Ct);

        Assert.Equal(new ClusterEvent(ClusterEvent.Revoked, "web-1", "0A"), await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    protected static NodeRecord Node(string name) => new() { Name = name, EnrolledAt = T0, Roles = ["base"] };

    protected static EnrollmentTokenRecord Token(string id, string hash) => new()
    {
        Id = id,
        Hash = hash,
        Roles = ["base"],
        CreatedAt = T0.AddHours(-1),
        ExpiresAt = T0.AddHours(1),
    };

    protected static CertificateRecord Certificate(string serial, string subject) => new()
    {
        Serial = serial,
        Subject = subject,
        NotBefore = T0,
        NotAfter = T0.AddDays(30),
        Fingerprint = "ff",
        Pem = "-----BEGIN CERTIFICATE-----",
    };

    protected static RunRecord Run(string node, string runId, DateTimeOffset at) => new()
    {
        Node = node,
        RunId = runId,
        CatalogHash = "sha256:c",
        Commit = "abc",
        StartedAt = at.AddSeconds(-5),
        FinishedAt = at,
        ReceivedAt = at,
        Total = 3,
        InSync = 2,
        Changed = 1,
        State = "converged",
    };

    protected static ChangeRecord Change(string node, string runId, string resourceId, string changeClass, DateTimeOffset at) => new()
    {
        Node = node,
        RunId = runId,
        ResourceId = resourceId,
        Kind = resourceId.Split(':')[0],
        Role = "base",
        Status = "changed",
        Class = changeClass,
        ChangesJson = """[{"property":"content","before":"a","after":"b"}]""",
        At = at,
        CatalogHash = "sha256:c",
    };

    protected static ResourceStateRecord State(string node, string runId, string resourceId, DateTimeOffset at) => new()
    {
        Node = node,
        ResourceId = resourceId,
        Kind = resourceId.Split(':')[0],
        Role = "base",
        Status = "in_sync",
        RunId = runId,
        UpdatedAt = at,
    };

    private sealed class NodeComparer : IEqualityComparer<NodeRecord?>
    {
        public static readonly NodeComparer Instance = new();

        public bool Equals(NodeRecord? x, NodeRecord? y) =>
            x is not null && y is not null && (x with { Roles = [] }) == (y with { Roles = [] }) && x.Roles.SequenceEqual(y.Roles);

        public int GetHashCode(NodeRecord? obj) => obj?.Name.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
