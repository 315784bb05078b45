namespace Colabo.Config.Master;

/// <summary>Why a request was refused, in terms every surface maps to its own status (gRPC, HTTP).</summary>
public enum MasterErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Unauthenticated,
    PermissionDenied,
    FailedPrecondition,
    Unavailable,
}

/// <summary>A refusal with a message a person can act on; never carries secrets.</summary>
public sealed class MasterException(MasterErrorKind kind, string message) : Exception(message)
{
    public MasterErrorKind Kind { get; } = kind;

    public MasterException()
        : this(MasterErrorKind.FailedPrecondition, "Request refused.")
    {
    }

    public MasterException(string message)
        : this(MasterErrorKind.FailedPrecondition, message)
    {
    }

    public MasterException(string message, Exception innerException)
        : this(MasterErrorKind.FailedPrecondition, message + ": " + innerException?.Message)
    {
    }
}
