using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Reports;

/// <summary>One run as the Report stream delivered it: the start, every outcome, the summary.</summary>
public sealed record RunReport(RunStart Start, IReadOnlyList<ResourceOutcome> Outcomes, RunSummary Summary);
