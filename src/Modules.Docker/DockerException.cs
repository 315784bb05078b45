using System.Net;

namespace Colabo.Config.Modules.Docker;

/// <summary>The Docker daemon refused a request, or could not be reached.</summary>
public sealed class DockerException : Exception
{
    public DockerException()
    {
    }

    public DockerException(string message)
        : base(message)
    {
    }

    public DockerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DockerException(string message, HttpStatusCode statusCode)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status the daemon answered with; null when it was not reached.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>True when the daemon could not be reached at all (socket missing, nothing listening).</summary>
    public bool DaemonUnavailable { get; init; }
}
