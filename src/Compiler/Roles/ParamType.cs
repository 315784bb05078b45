namespace Colabo.Config.Compiler.Roles;

/// <summary>The type of a role parameter, checked against defaults and classification values.</summary>
public enum ParamType
{
    String,
    Int,
    Bool,
    List,
    Map,
}
