namespace Colabo.Config.Master.Security;

/// <summary>What a bearer token for the JSON API grants: a name and a role (admin or viewer).</summary>
public sealed record ApiTokenGrant(string Name, string Role);
