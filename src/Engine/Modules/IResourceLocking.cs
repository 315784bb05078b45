using Colabo.Config.Contracts.V1;

namespace Colabo.Config.Engine.Modules;

/// <summary>
/// A module whose resources may share one host object (several <c>line</c>s of one file, several keys
/// of one authorized_keys file). Resources with the same key never converge at the same time, even
/// when independent; keys are global across modules ("path:/etc/ssh/sshd_config").
/// </summary>
public interface IResourceLocking
{
    /// <summary>The key to serialize on, or null for none.</summary>
    string? LockKeyOf(Resource desired);
}
