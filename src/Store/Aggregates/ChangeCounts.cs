namespace Colabo.Config.Store;

/// <summary>Change-log entries of one class in one time bucket, and on how many distinct nodes.</summary>
public sealed record ChangeBucket(DateTimeOffset Start, string Class, int Count, int Nodes);

/// <summary>Change-log entries of one resource by class; <see cref="Nodes"/> counts nodes with a corrective change.</summary>
public sealed record ResourceChangeCount(string ResourceId, string Kind, string Role, int Corrective, int Intentional, int Failed, int Pending, int Nodes, DateTimeOffset LastAt);

/// <summary>Change-log entries of one role by class; <see cref="DriftedNodes"/> counts nodes with a corrective change.</summary>
public sealed record RoleChangeCount(string Role, int Corrective, int Intentional, int Failed, int Pending, int DriftedNodes);

/// <summary>Change-log entries of one resource on one node by class.</summary>
public sealed record NodeChangeCount(string Node, int Corrective, int Intentional, int Failed, int Pending, DateTimeOffset LastAt);
