using Colabo.Config.Contracts.V1;
using Google.Protobuf;

namespace Colabo.Config.Agent.Daemon.Runs;

/// <summary>
/// Every report is written ahead to disk (length-delimited ReportMessages, one file per run id) and
/// deleted once the master acknowledged it. What is left is resent on the next connection; run ids
/// are idempotent at the master, so a resend never duplicates.
/// </summary>
public sealed class ReportSpool(string directory)
{
    public string Directory { get; } = directory;

    public SpoolWriter Begin(string runId)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return new SpoolWriter(PathOf(runId));
    }

    /// <summary>Unsent runs, oldest first.</summary>
    public IReadOnlyList<string> PendingRunIds() =>
        System.IO.Directory.Exists(Directory)
            ? [.. new DirectoryInfo(Directory).GetFiles("*.report").OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => Path.GetFileNameWithoutExtension(f.Name))]
            : [];

    /// <summary>
    /// The messages of a spooled run. A run cut short (agent killed, torn last write) is closed with a
    /// summary that says so, so the master never waits for an end that will not come.
    /// </summary>
    public IReadOnlyList<ReportMessage> Read(string runId)
    {
        var messages = new List<ReportMessage>();
        using (var stream = File.OpenRead(PathOf(runId)))
        {
            while (stream.Position < stream.Length)
            {
                try
                {
                    messages.Add(ReportMessage.Parser.ParseDelimitedFrom(stream));
                }
                catch (InvalidProtocolBufferException)
                {
                    break;
                }
            }
        }

        if (messages.Count > 0 && messages[^1].MessageCase != ReportMessage.MessageOneofCase.End && messages[0].Start is { } start)
        {
            messages.Add(new ReportMessage
            {
                End = new RunSummary
                {
                    RunId = start.RunId,
                    Mode = start.Mode,
                    CatalogHash = start.CatalogHash,
                    Commit = start.Commit,
                    StartedAt = start.StartedAt,
                    FinishedAt = start.StartedAt,
                    Total = messages.Count - 1,
                    Error = "the agent stopped before the run finished",
                },
            });
        }

        return messages;
    }

    public void Complete(string runId) => File.Delete(PathOf(runId));

    private string PathOf(string runId)
    {
        if (runId.Length == 0 || runId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            throw new ArgumentException($"'{runId}' is not a run id", nameof(runId));
        }

        return Path.Combine(Directory, runId + ".report");
    }
}
