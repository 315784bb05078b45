namespace Colabo.Config.Engine.Modules;

/// <summary>
/// A module whose diff cannot know some "after" values before it applies (the id of an image it is
/// about to build or import). After a successful apply the engine re-reads the state to verify it and
/// passes that state here, so the report shows the value the host ended up with instead of nothing.
/// </summary>
public interface IResolvesChanges
{
    /// <summary>Returns <paramref name="changes"/> with unknown after values filled from <paramref name="after"/>.</summary>
    IReadOnlyList<PropertyDiff> Resolve(IReadOnlyList<PropertyDiff> changes, object? after);
}
