using Colabo.Config.Agent.Daemon.Runs;
using Colabo.Config.Agent.Tests.Support;
using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Agent.Tests.Daemon;

public sealed class ReportSpoolTests
{
    private static ReportMessage Start(string runId) => new() { Start = new RunStart { RunId = runId, CatalogHash = "sha256:1" } };

    private static ReportMessage Outcome(string id) => new() { Outcome = new ResourceOutcome { ResourceId = id, Status = OutcomeStatus.Changed } };

    [Fact]
    public void A_spooled_run_reads_back_in_order_and_is_gone_once_completed()
    {
        using var dir = new TempDir();
        var spool = new ReportSpool(dir.Combine("spool"));
        var runId = Guid.NewGuid().ToString("D");
        using (var writer = spool.Begin(runId))
        {
            writer.Append(Start(runId));
            writer.Append(Outcome("file:/etc/motd"));
            writer.Append(new ReportMessage { End = new RunSummary { RunId = runId, Total = 1, Changed = 1 } });
        }

        var messages = spool.Read(runId);
        spool.Complete(runId);

        Assert.Equal([ReportMessage.MessageOneofCase.Start, ReportMessage.MessageOneofCase.Outcome, ReportMessage.MessageOneofCase.End], messages.Select(m => m.MessageCase));
        Assert.Equal("file:/etc/motd", messages[1].Outcome.ResourceId);
        Assert.Empty(spool.PendingRunIds());
    }

    [Fact]
    public void A_run_cut_short_by_a_killed_agent_is_closed_with_a_summary_that_says_so()
    {
        using var dir = new TempDir();
        var spool = new ReportSpool(dir.Combine("spool"));
        var runId = Guid.NewGuid().ToString("D");
        using (var writer = spool.Begin(runId))
        {
            writer.Append(Start(runId));
            writer.Append(Outcome("file:/etc/motd"));
        }

        // A torn last write: half a message at the end.
        File.AppendAllText(Path.Combine(spool.Directory, runId + ".report"), "\u0012\u0030abc");

        var messages = spool.Read(runId);

        Assert.Equal(3, messages.Count);
        Assert.Equal(runId, messages[2].End.RunId);
        Assert.Contains("stopped before the run finished", messages[2].End.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pending_runs_are_listed_oldest_first()
    {
        using var dir = new TempDir();
        var spool = new ReportSpool(dir.Combine("spool"));
        var ids = new[] { Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D") };
        for (var i = 0; i < ids.Length; i++)
        {
            using (var writer = spool.Begin(ids[i]))
            {
                writer.Append(Start(ids[i]));
            }

            File.SetLastWriteTimeUtc(Path.Combine(spool.Directory, ids[i] + ".report"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i));
        }

        Assert.Equal(ids, spool.PendingRunIds());
    }
}
