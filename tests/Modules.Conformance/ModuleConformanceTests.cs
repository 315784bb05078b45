using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Engine.Running;
using Xunit;

namespace Colabo.Config.Modules.Conformance;

/// <summary>
/// The suite every resource module passes. Derive a test class, say which modules run, give sample
/// resources and a fresh target root per test; the facts below are inherited. See README.md.
/// </summary>
public abstract class ModuleConformanceTests
{
    /// <summary>The modules under test plus any the samples need (e.g. directory for files).</summary>
    protected abstract IEnumerable<IResourceModule> Modules { get; }

    /// <summary>Whether <see cref="AbsentResources"/> is meaningful (false for actions such as exec).</summary>
    protected virtual bool RoundTripsAbsent => true;

    /// <summary>At most this many crash points are tried, spread over the mutations of a converge.</summary>
    protected virtual int MaxCrashPoints => 12;

    /// <summary>A fresh, independent target root for one test (a temp dir, an extracted Debian root...).</summary>
    protected abstract Task<TargetRoot> CreateTargetRootAsync();

    /// <summary>Removes a root made by <see cref="CreateTargetRootAsync"/>.</summary>
    protected virtual Task DeleteTargetRootAsync(TargetRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.IsSystemRoot && Directory.Exists(root.Path))
        {
            Directory.Delete(root.Path, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Samples that must change a fresh root when converged (with their dependency edges). Use
    /// several and exercise the module's properties: this is what the suite proves things about.
    /// </summary>
    protected abstract IReadOnlyList<Resource> PresentResources(TargetRoot root);

    /// <summary>The same resources, absent. Default: each sample with <c>ensure: absent</c>.</summary>
    protected virtual IReadOnlyList<Resource> AbsentResources(TargetRoot root) =>
        [.. PresentResources(root).Select(r => { var absent = r.Clone(); absent.Ensure = Ensure.Absent; return absent; })];

    /// <summary>The context modules get; override to wrap commands (chroot, nsenter) or add ports.</summary>
    protected virtual ModuleContext CreateContext(TargetRoot root, IFileSystem files) =>
        new() { Root = root, Commands = ProcessCommandRunner.Instance, Files = files };

    /// <summary>Host paths that legitimately change without the module (logs, caches); ignored by snapshots.</summary>
    protected virtual bool IsIgnoredInSnapshot(string hostPath) => false;

    [Fact(Timeout = 120_000)]
    public async Task Converging_twice_reports_every_resource_in_sync_the_second_time()
    {
        await WithRootAsync(async root =>
        {
            var resources = PresentResources(root);
            var first = await ConvergeAsync(root, resources, RunMode.Enforce);
            AssertNoFailures(first);
            Assert.True(first.Summary.Changed > 0, "the samples must change a fresh root, or this suite proves nothing");

            var second = await ConvergeAsync(root, resources, RunMode.Enforce);

            AssertNoFailures(second);
            Assert.All(second.Outcomes, o => Assert.True(o.Status == OutcomeStatus.InSync, $"{o.ResourceId} is {o.Status} on the second run: {o.Message} {string.Join(", ", o.Changes)}"));
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task A_noop_run_leaves_the_target_root_byte_for_byte_unchanged()
    {
        await WithRootAsync(async root =>
        {
            var before = Snapshot(root);

            var report = await ConvergeAsync(root, PresentResources(root), RunMode.Noop);

            AssertNoFailures(report);
            Assert.True(report.Summary.WouldChange > 0, "the samples must need changes on a fresh root");
            Assert.DoesNotContain(report.Outcomes, o => o.Status == OutcomeStatus.Changed);
            AssertUnchanged(before, Snapshot(root), "a noop run");
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task Absent_then_present_then_absent_round_trips()
    {
        if (!RoundTripsAbsent)
        {
            return;
        }

        await WithRootAsync(async root =>
        {
            AssertNoFailures(await ConvergeAsync(root, AbsentResources(root), RunMode.Enforce));
            var absent = Snapshot(root);

            var present = await ConvergeAsync(root, PresentResources(root), RunMode.Enforce);
            AssertNoFailures(present);
            Assert.True(present.Summary.Changed > 0, "making the samples present must change something");
            var backToAbsent = await ConvergeAsync(root, AbsentResources(root), RunMode.Enforce);
            AssertNoFailures(backToAbsent);
            var again = await ConvergeAsync(root, AbsentResources(root), RunMode.Enforce);

            Assert.All(again.Outcomes, o => Assert.Equal(OutcomeStatus.InSync, o.Status));
            AssertSameContent(absent, Snapshot(root), "absent -> present -> absent");
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task Reading_never_mutates_the_target_root()
    {
        await WithRootAsync(async root =>
        {
            var resources = PresentResources(root);
            var fresh = Snapshot(root);
            await ReadAllAsync(root, resources);
            AssertUnchanged(fresh, Snapshot(root), "reading a fresh root");

            AssertNoFailures(await ConvergeAsync(root, resources, RunMode.Enforce));
            var converged = Snapshot(root);
            await ReadAllAsync(root, resources);
            AssertUnchanged(converged, Snapshot(root), "reading a converged root");
        });
    }

    [Fact(Timeout = 300_000)]
    public async Task An_apply_killed_midway_leaves_no_half_written_file()
    {
        // Reference: how many file mutations a full converge makes, and what every path holds afterwards.
        TargetSnapshot fresh = null!, converged = null!;
        var operations = 0;
        await WithRootAsync(async root =>
        {
            fresh = Snapshot(root);
            var counting = new CrashingFileSystem(HostFileSystem.Instance, crashAt: 0);
            AssertNoFailures(await ConvergeAsync(root, PresentResources(root), RunMode.Enforce, counting));
            converged = Snapshot(root);
            operations = counting.Operations;
        });

        foreach (var crashAt in CrashPoints(operations))
        {
            await WithRootAsync(async root =>
            {
                var crashing = new CrashingFileSystem(HostFileSystem.Instance, crashAt);
                await ConvergeAsync(root, PresentResources(root), RunMode.Enforce, crashing);
                var afterCrash = Snapshot(root);

                foreach (var (path, entry) in afterCrash.Entries.Where(e => e.Value.Kind == FileKind.File))
                {
                    if (HostFileSystem.IsTemporaryFile(path))
                    {
                        continue;
                    }

                    var old = fresh.Entries.GetValueOrDefault(path)?.Content;
                    var @new = converged.Entries.GetValueOrDefault(path)?.Content;
                    // Old content, final content, or a whole intermediate (two lines of one file, one applied).
                    Assert.True(
                        entry.Content == old || entry.Content == @new || crashing.Wrote(root.Resolve(path), entry.Content),
                        $"after a crash at mutation {crashAt} of {operations}, {path} holds content that no complete write produced");
                }

                // The next run repairs whatever the crash left undone.
                var recovery = await ConvergeAsync(root, PresentResources(root), RunMode.Enforce);
                AssertNoFailures(recovery);
                AssertSameContent(converged, Snapshot(root, skipTemporaryFiles: true), $"recovering from a crash at mutation {crashAt}");
            });
        }
    }

    /// <summary>Runs the engine over <paramref name="resources"/> on <paramref name="root"/>.</summary>
    protected async Task<RunReport> ConvergeAsync(TargetRoot root, IReadOnlyList<Resource> resources, RunMode mode, IFileSystem? files = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var catalog = new Catalog { Node = "conformance" };
        catalog.Resources.AddRange(resources.Select(r => r.Clone()));
        var engine = new ConvergenceEngine(new ModuleRegistry(Modules), CreateContext(root, files ?? HostFileSystem.Instance));
        return await engine.RunAsync(catalog, new RunOptions { Mode = mode }, CancellationToken.None);
    }

    protected TargetSnapshot Snapshot(TargetRoot root, bool skipTemporaryFiles = false) =>
        TargetSnapshot.Capture(root, path => IsIgnoredInSnapshot(path) || (skipTemporaryFiles && HostFileSystem.IsTemporaryFile(path)));

    protected static void AssertNoFailures(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var failures = report.Outcomes.Where(o => o.Status is OutcomeStatus.Failed or OutcomeStatus.Skipped).Select(o => $"{o.ResourceId}: {o.Status} {o.Message}").ToList();
        Assert.True(failures.Count == 0, "unexpected failures:\n" + string.Join('\n', failures));
    }

    protected static void AssertUnchanged(TargetSnapshot before, TargetSnapshot after, string what)
    {
        ArgumentNullException.ThrowIfNull(after);
        var differences = after.DifferencesFrom(before);
        Assert.True(differences.Count == 0, $"{what} changed the target root:\n" + string.Join('\n', differences));
    }

    /// <summary>Same paths, kinds and contents; times may differ (a round trip rewrites things).</summary>
    protected static void AssertSameContent(TargetSnapshot expected, TargetSnapshot actual, string what)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        static Dictionary<string, (FileKind, string?)> Strip(TargetSnapshot s) => s.Entries.ToDictionary(e => e.Key, e => (e.Value.Kind, e.Value.Content));
        var want = Strip(expected);
        var have = Strip(actual);
        var differences = want.Keys.Union(have.Keys)
            .Where(p => !want.TryGetValue(p, out var w) || !have.TryGetValue(p, out var h) || w != h)
            .Order(StringComparer.Ordinal)
            .Take(20)
            .Select(p => $"{p}: expected {(want.TryGetValue(p, out var w) ? w.ToString() : "nothing")}, found {(have.TryGetValue(p, out var h) ? h.ToString() : "nothing")}")
            .ToList();
        Assert.True(differences.Count == 0, $"{what}: the target root differs:\n" + string.Join('\n', differences));
    }

    private async Task ReadAllAsync(TargetRoot root, IReadOnlyList<Resource> resources)
    {
        var registry = new ModuleRegistry(Modules);
        var context = CreateContext(root, HostFileSystem.Instance);
        foreach (var group in resources.GroupBy(r => r.Kind))
        {
            Assert.True(registry.TryGet(group.Key, out var module), $"no module for kind '{group.Key}'");
            if (module is IPrefetching prefetching)
            {
                await prefetching.PrefetchAsync([.. group], context, CancellationToken.None);
            }

            foreach (var resource in group)
            {
                await module.ReadStateAsync(resource, context, CancellationToken.None);
            }
        }
    }

    private IEnumerable<int> CrashPoints(int operations)
    {
        if (operations <= MaxCrashPoints)
        {
            return Enumerable.Range(1, operations);
        }

        return Enumerable.Range(0, MaxCrashPoints).Select(i => 1 + (int)((long)i * (operations - 1) / (MaxCrashPoints - 1))).Distinct();
    }

    private async Task WithRootAsync(Func<TargetRoot, Task> test)
    {
        var root = await CreateTargetRootAsync();
        try
        {
            await test(root);
        }
        finally
        {
            await DeleteTargetRootAsync(root);
        }
    }
}
