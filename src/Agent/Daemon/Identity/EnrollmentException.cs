namespace Colabo.Config.Agent.Daemon.Identity;

/// <summary>Enrollment failed; the message says what to fix (token, fingerprint, name pattern).</summary>
public sealed class EnrollmentException : Exception
{
    public EnrollmentException()
    {
    }

    public EnrollmentException(string message)
        : base(message)
    {
    }

    public EnrollmentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
