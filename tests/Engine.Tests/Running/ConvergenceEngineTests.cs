using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Running;
using Colabo.Config.Engine.Tests.Support;
using static Colabo.Config.Engine.Tests.Support.Fake;

namespace Colabo.Config.Engine.Tests.Running;

public sealed class ConvergenceEngineTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_resource_converges_after_everything_it_requires()
    {
        var module = new FakeModule();
        var catalog = Catalog(
            Resource("c", requires: ["fake:b"]),
            Resource("b", implicitRequires: ["fake:a"]),
            Resource("a"));

        var report = await module.RunAsync(catalog);

        Assert.All(report.Outcomes, o => Assert.Equal(OutcomeStatus.Changed, o.Status));
        Assert.True(module.IndexOf("apply:a") < module.IndexOf("read:b"));
        Assert.True(module.IndexOf("apply:b") < module.IndexOf("read:c"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Independent_resources_converge_in_parallel_but_never_more_than_the_bound()
    {
        var module = new FakeModule();
        var running = 0;
        var peak = 0;
        var twoRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        module.OnApply = async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            if (now == 2)
            {
                twoRunning.TrySetResult();
            }

            await gate.Task;
            Interlocked.Decrement(ref running);
        };

        var run = module.RunAsync(Catalog(Resource("a"), Resource("b"), Resource("c"), Resource("d")), new RunOptions { MaxParallelism = 2 });
        await twoRunning.Task;
        gate.SetResult();
        var report = await run;

        Assert.Equal(2, peak);
        Assert.Equal(4, report.Summary.Changed);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_value_only_the_apply_knows_is_reported_as_the_host_ended_up()
    {
        var module = new FakeModule();
        module.Wanted["a"] = FakeModule.Generated;

        var planned = await module.RunAsync(Catalog(Resource("a")), new RunOptions { Mode = RunMode.Noop });
        var applied = await module.RunAsync(Catalog(Resource("a")));

        Assert.False(Assert.Single(Assert.Single(planned.Outcomes).Changes).HasAfter);
        Assert.Equal("made-by-apply-a", Assert.Single(Assert.Single(applied.Outcomes).Changes).After);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_noop_run_never_asks_a_module_to_apply()
    {
        var module = new FakeModule();
        module.Host["a"] = "off";

        var report = await module.RunAsync(Catalog(Resource("a"), Resource("b")), new RunOptions { Mode = RunMode.Noop });

        Assert.DoesNotContain(module.Calls, c => c.StartsWith("apply:", StringComparison.Ordinal));
        Assert.Equal("off", module.Host["a"]);
        Assert.Equal(RunMode.Noop, report.Summary.Mode);
        var a = report["fake:a"];
        Assert.Equal(OutcomeStatus.WouldChange, a.Status);
        Assert.Equal(new PropertyChange { Property = "value", Before = "off", After = "on" }, Assert.Single(a.Changes));
        Assert.Equal(2, report.Summary.WouldChange);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_audited_resource_is_never_applied_even_in_enforce_mode()
    {
        var module = new FakeModule();
        var audited = Resource("a");
        audited.Audit = true;

        var report = await module.RunAsync(Catalog(audited, Resource("b")));

        Assert.Equal(0, module.Count("apply:a"));
        Assert.Equal(OutcomeStatus.WouldChange, report["fake:a"].Status);
        Assert.True(report["fake:a"].Audit);
        Assert.Equal(OutcomeStatus.Changed, report["fake:b"].Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failure_skips_everything_that_depends_on_it_and_nothing_else()
    {
        var module = new FakeModule { OnApply = (name, _) => name == "a" ? throw new InvalidOperationException("disk full") : Task.CompletedTask };
        var catalog = Catalog(Resource("a"), Resource("b", requires: ["fake:a"]), Resource("c", requires: ["fake:b"]), Resource("d"));

        var report = await module.RunAsync(catalog);

        Assert.Equal(OutcomeStatus.Failed, report["fake:a"].Status);
        Assert.Equal("applying failed: disk full", report["fake:a"].Message);
        Assert.Equal(OutcomeStatus.Skipped, report["fake:b"].Status);
        Assert.Equal("skipped because 'fake:a' failed", report["fake:b"].Message);
        Assert.Equal(OutcomeStatus.Skipped, report["fake:c"].Status);
        Assert.Equal("skipped because 'fake:b' was skipped", report["fake:c"].Message);
        Assert.Equal(OutcomeStatus.Changed, report["fake:d"].Status);
        Assert.Equal(0, module.Count("read:b"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_difference_left_after_apply_fails_as_did_not_converge()
    {
        var module = new FakeModule();
        module.Stubborn.Add("a");

        var report = await module.RunAsync(Catalog(Resource("a")));

        Assert.Equal(OutcomeStatus.Failed, report["fake:a"].Status);
        Assert.Equal("did not converge: value is absent, wanted on", report["fake:a"].Message);
        Assert.Equal(2, module.Count("read:a"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_notified_resource_is_refreshed_once_after_all_its_changed_notifiers()
    {
        var module = new FakeModule();
        module.Host["service"] = "on";

        var report = await module.RunAsync(Catalog(
            Resource("service"),
            Resource("config", notify: ["fake:service"]),
            Resource("unit", notify: ["fake:service"])));

        Assert.Equal(1, module.Count("refresh:service"));
        Assert.True(module.IndexOf("refresh:service") > module.IndexOf("apply:config"));
        Assert.True(module.IndexOf("refresh:service") > module.IndexOf("apply:unit"));
        var service = report["fake:service"];
        Assert.True(service.Refreshed);
        Assert.Equal(OutcomeStatus.Changed, service.Status);
        Assert.Equal("restarted (notified by fake:config, fake:unit)", service.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_resource_is_not_refreshed_when_its_notifiers_are_in_sync()
    {
        var module = new FakeModule();
        module.Host["service"] = "on";
        module.Host["config"] = "on";

        var report = await module.RunAsync(Catalog(Resource("service"), Resource("config", notify: ["fake:service"])));

        Assert.Equal(0, module.Count("refresh:service"));
        Assert.False(report["fake:service"].Refreshed);
        Assert.Equal(OutcomeStatus.InSync, report["fake:service"].Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task In_noop_a_notified_resource_reports_that_it_would_refresh_without_refreshing()
    {
        var module = new FakeModule();
        module.Host["service"] = "on";

        var report = await module.RunAsync(Catalog(Resource("service"), Resource("config", notify: ["fake:service"])), new RunOptions { Mode = RunMode.Noop });

        Assert.Equal(0, module.Count("refresh:service"));
        Assert.True(report["fake:service"].Refreshed);
        Assert.Equal(OutcomeStatus.WouldChange, report["fake:service"].Status);
        Assert.Equal("would refresh (notified by fake:config)", report["fake:service"].Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_resource_that_exceeds_its_timeout_fails_and_its_dependents_are_skipped()
    {
        var module = new FakeModule { OnApply = (name, ct) => name == "slow" ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask };

        var report = await module.RunAsync(
            Catalog(Resource("slow"), Resource("after", requires: ["fake:slow"]), Resource("other")),
            new RunOptions { DefaultTimeout = TimeSpan.FromMilliseconds(200) });

        Assert.Equal(OutcomeStatus.Failed, report["fake:slow"].Status);
        Assert.Equal("timed out after 0.2 s while applying", report["fake:slow"].Message);
        Assert.Equal(OutcomeStatus.Skipped, report["fake:after"].Status);
        Assert.Equal(OutcomeStatus.Changed, report["fake:other"].Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_a_run_fails_the_running_resource_and_skips_the_rest()
    {
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var module = new FakeModule
        {
            OnApply = async (name, ct) =>
            {
                if (name == "a")
                {
                    started.SetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                }
            },
        };

        var run = module.RunAsync(Catalog(Resource("a"), Resource("b", requires: ["fake:a"]), Resource("c", requires: ["fake:b"])), cancellationToken: cancel.Token);
        await started.Task;
        await cancel.CancelAsync();
        var report = await run;

        Assert.Equal(OutcomeStatus.Failed, report["fake:a"].Status);
        Assert.Equal("cancelled while applying", report["fake:a"].Message);
        Assert.Equal(OutcomeStatus.Skipped, report["fake:b"].Status);
        Assert.Equal(OutcomeStatus.Skipped, report["fake:c"].Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Secret_properties_are_redacted_in_every_change()
    {
        var module = new FakeModule();
        module.Host["db"] = "old-password";
        module.Wanted["db"] = "new-password";
        var resource = Resource("db");
        resource.SecretProperties.Add("value");

        var report = await module.RunAsync(Catalog(resource));

        var change = Assert.Single(report["fake:db"].Changes);
        Assert.True(change.Secret);
        Assert.Equal("<redacted>", change.Before);
        Assert.Equal("<redacted>", change.After);
        Assert.DoesNotContain("password", report["fake:db"].ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_outcome_is_delivered_as_soon_as_its_resource_completes()
    {
        var module = new FakeModule();
        var delivered = new List<string>();
        var seenBeforeB = new List<string>();
        module.OnApply = (name, _) =>
        {
            if (name == "b")
            {
                lock (delivered)
                {
                    seenBeforeB.AddRange(delivered);
                }
            }

            return Task.CompletedTask;
        };
        var options = new RunOptions
        {
            OnOutcome = (outcome, _) =>
            {
                lock (delivered)
                {
                    delivered.Add(outcome.ResourceId);
                }

                return ValueTask.CompletedTask;
            },
        };

        await module.RunAsync(Catalog(Resource("b", requires: ["fake:a"]), Resource("a")), options);

        Assert.Equal(["fake:a"], seenBeforeB);
        Assert.Equal(["fake:a", "fake:b"], delivered);
    }

    [Fact(Timeout = 30_000)]
    public async Task Streaming_yields_every_outcome_of_the_run()
    {
        var module = new FakeModule();
        var ids = new List<string>();

        await foreach (var outcome in Fake.Engine(module).StreamAsync(Catalog(Resource("a"), Resource("b", requires: ["fake:a"])), new RunOptions(), CancellationToken.None))
        {
            ids.Add(outcome.ResourceId);
        }

        Assert.Equal(["fake:a", "fake:b"], ids);
    }

    [Fact(Timeout = 30_000)]
    public async Task Broken_catalogs_fail_the_affected_resources_with_a_reason_a_person_can_act_on()
    {
        var module = new FakeModule();
        module.Invalid.Add("invalid");
        var unknownKind = new Resource { Id = "teapot:x", Kind = "teapot", Name = "x" };

        var report = await module.RunAsync(Catalog(
            unknownKind,
            Resource("invalid"),
            Resource("orphan", requires: ["fake:missing"]),
            Resource("loop1", requires: ["fake:loop2"]),
            Resource("loop2", requires: ["fake:loop1"]),
            Resource("behind", requires: ["fake:loop2"]),
            Resource("fine")));

        Assert.Equal("this agent has no module for kind 'teapot'", report["teapot:x"].Message);
        Assert.Equal("invalid: invalid is invalid", report["fake:invalid"].Message);
        Assert.Equal("requires 'fake:missing', which is not in the catalog", report["fake:orphan"].Message);
        Assert.Equal("dependency cycle among: fake:loop1, fake:loop2", report["fake:loop1"].Message);
        Assert.Equal(OutcomeStatus.Failed, report["fake:loop2"].Status);
        Assert.Equal(OutcomeStatus.Skipped, report["fake:behind"].Status);
        Assert.Equal(OutcomeStatus.Changed, report["fake:fine"].Status);
        Assert.Equal(7, report.Summary.Total);
        Assert.Equal(5, report.Summary.Failed);
        Assert.Equal(1, report.Summary.Skipped);
        Assert.Equal(1, report.Summary.Changed);
    }

    [Fact(Timeout = 30_000)]
    public async Task Prefetch_gets_every_resource_of_its_kind_once_before_any_read()
    {
        var module = new FakeModule();

        await module.RunAsync(Catalog(Resource("a"), Resource("b")));

        Assert.Equal("prefetch", module.Calls.First());
        Assert.Equal(["a", "b"], Assert.Single(module.Prefetched));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_does_not_depend_on_the_previous_run_having_succeeded()
    {
        var failOnce = 1;
        var module = new FakeModule { OnApply = (_, _) => Interlocked.Exchange(ref failOnce, 0) == 1 ? throw new IOException("flaky") : Task.CompletedTask };
        var catalog = Catalog(Resource("a"), Resource("b", requires: ["fake:a"]));

        var first = await module.RunAsync(catalog);
        var second = await module.RunAsync(catalog);

        Assert.True(first.HasFailures);
        Assert.False(second.HasFailures);
        Assert.Equal(2, second.Summary.Changed);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_summary_records_the_catalog_and_counts_every_status()
    {
        var module = new FakeModule();
        module.Host["same"] = "on";

        var report = await module.RunAsync(Catalog(Resource("same"), Resource("new")), new RunOptions { RunId = "run-1" });

        Assert.Equal("run-1", report.Summary.RunId);
        Assert.Equal("abc", report.Summary.Commit);
        Assert.Equal("sha256:00", report.Summary.CatalogHash);
        Assert.Equal((2, 1, 1), (report.Summary.Total, report.Summary.InSync, report.Summary.Changed));
        Assert.True(report.Summary.FinishedAt.ToDateTimeOffset() >= report.Summary.StartedAt.ToDateTimeOffset());
        Assert.All(report.Outcomes, o => Assert.NotNull(o.Duration));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
