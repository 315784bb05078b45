using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Master.Reports;

/// <summary>One run as the Report stream delivered it: the start, every outcome, the summary.</summary>
public sealed record RunReport(RunStart Start, IReadOnlyList<ResourceOutcome> Outcomes, RunSummary Summary)
{
    /// <summary>The catalog the run applied: as the start names it, else as the summary does.</summary>
    public string CatalogHash => Start.CatalogHash.Length > 0 ? Start.CatalogHash : Summary.CatalogHash;
}
