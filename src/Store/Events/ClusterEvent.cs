namespace Colabo.Config.Store;

/// <summary>
/// An event every master replica must see: a catalog changed, a certificate was revoked, a run was
/// requested. <see cref="Node"/> is a node name, or "*" for every node.
/// </summary>
public sealed record ClusterEvent(string Kind, string Node, string Payload = "")
{
    public const string CatalogChanged = "catalog-changed";
    public const string Revoked = "revoked";
    public const string RunNow = "run-now";
    public const string TokenRevoked = "token-revoked";
}
