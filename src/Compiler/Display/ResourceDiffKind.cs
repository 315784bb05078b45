namespace Colabo.Config.Compiler.Display;

public enum ResourceDiffKind
{
    Added,
    Removed,
    Changed,
}
