namespace Colabo.Config.Store.Sql;

/// <summary>One run to record, as <see cref="IConfigStore.SaveRunAsync"/> received it.</summary>
public sealed record RunWrite(RunRecord Run, IReadOnlyList<ChangeRecord> Changes, IReadOnlyList<ResourceStateRecord> States)
{
    /// <summary>Rows this run adds to a batch: the run, its change-log entries, its resource states.</summary>
    public int Rows => 1 + Changes.Count + States.Count;
}
