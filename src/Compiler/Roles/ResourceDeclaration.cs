using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Roles;

/// <summary>One entry of a role's <c>resources</c> list: kind, name node and the whole mapping.</summary>
internal sealed record ResourceDeclaration(string Kind, YamlScalarNode NameNode, YamlMappingNode Body, SourceSpan At);
