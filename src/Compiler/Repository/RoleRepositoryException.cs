namespace Colabo.Config.Compiler.Repository;

/// <summary>The role repository cannot be opened or read (not git, unknown ref, git failed).</summary>
public sealed class RoleRepositoryException : Exception
{
    public RoleRepositoryException() { }

    public RoleRepositoryException(string message) : base(message) { }

    public RoleRepositoryException(string message, Exception inner) : base(message, inner) { }
}
