using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Roles;

/// <summary>A declared parameter; <see cref="Default"/> null means the parameter is required.</summary>
internal sealed record ParamDeclaration(string Name, ParamType Type, YamlNode? Default, SourceSpan At, string Description);
