using Colabo.Config.Compiler;

namespace Colabo.Config.Master.Roles;

/// <summary>What a deploy did: the commit, whether it was published, the errors that stopped it, the nodes pushed.</summary>
public sealed record DeployOutcome(string Environment, string Commit, bool Published, IReadOnlyList<(string Node, CompileError Error)> Errors, IReadOnlyList<string> AffectedNodes);
