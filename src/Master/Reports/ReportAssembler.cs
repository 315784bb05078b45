using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Reports;

/// <summary>
/// Collects a Report stream into a <see cref="RunReport"/>: exactly one start first, outcomes, one
/// end last. Bounded so a hostile stream cannot exhaust memory.
/// </summary>
public sealed class ReportAssembler(int maxOutcomes = 100_000)
{
    private readonly List<ResourceOutcome> _outcomes = [];
    private RunStart? _start;
    private RunSummary? _end;

    public void Add(ReportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.MessageCase)
        {
            case ReportMessage.MessageOneofCase.Start when _start is null:
                if (string.IsNullOrEmpty(message.Start.RunId) || message.Start.RunId.Length > 128)
                {
                    throw new MasterException(MasterErrorKind.InvalidArgument, "A report's run id must be 1 to 128 characters.");
                }
                _start = message.Start;
                break;
            case ReportMessage.MessageOneofCase.Start:
                throw new MasterException(MasterErrorKind.InvalidArgument, "A report stream carries one run: a second start message was sent.");
            case ReportMessage.MessageOneofCase.Outcome when _start is not null && _end is null:
                if (_outcomes.Count >= maxOutcomes)
                {
                    throw new MasterException(MasterErrorKind.InvalidArgument, $"A run may report at most {maxOutcomes} resources.");
                }
                _outcomes.Add(message.Outcome);
                break;
            case ReportMessage.MessageOneofCase.End when _start is not null && _end is null:
                _end = message.End;
                break;
            default:
                throw new MasterException(MasterErrorKind.InvalidArgument, "A report stream must be one start, then outcomes, then one end.");
        }
    }

    /// <summary>The complete run, or an error when the stream ended before the summary.</summary>
    public RunReport Complete()
    {
        if (_start is null || _end is null)
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, "The report stream ended before the run's end message; nothing was recorded, resend the whole run.");
        }
        return new RunReport(_start, _outcomes, _end);
    }
}
