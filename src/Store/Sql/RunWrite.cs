namespace Colabo.Config.Store.Sql;

/// <summary>
/// One run to record, as <see cref="IConfigStore.SaveRunAsync"/> received it, with its change log and the
/// node's states already written as the text the tables keep: on the caller's thread, once, not inside
/// a batch's transaction (SQLite's single writer) nor again when a failed batch is retried.
/// </summary>
public sealed record RunWrite(RunRecord Run, IReadOnlyList<ChangeRecord> Changes, IReadOnlyList<ResourceStateRecord> States)
{
    /// <summary>The change-log row's values; null when the run changed nothing.</summary>
    public ChangeLogJson.Entries? ChangeLog { get; } = Changes.Count > 0 ? ChangeLogJson.Write(Changes) : null;

    /// <summary>The node's states object replacing the stored one; null when the run leaves them as they are.</summary>
    public string? StatesJson { get; } = States.Count > 0 ? NodeStatesJson.Write(States) : null;

    /// <summary>
    /// What this run weighs in a batch's budget: its run, change-log entries and resource states, each
    /// counted once (the entries and the states are one row each, but their text grows with their number).
    /// </summary>
    public int Rows => 1 + Changes.Count + States.Count;
}
