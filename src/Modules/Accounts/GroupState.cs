namespace Colabo.Config.Modules.Accounts;

/// <summary>A group as the target root's /etc/group describes it.</summary>
public sealed record GroupState(string Name, uint Gid);
