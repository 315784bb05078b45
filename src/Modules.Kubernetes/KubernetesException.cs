using System.Net;

namespace Colabo.Config.Modules.Kubernetes;

/// <summary>The API server refused a request or could not be reached; the message says which and why.</summary>
public sealed class KubernetesException : Exception
{
    public KubernetesException()
    {
    }

    public KubernetesException(string message)
        : base(message)
    {
    }

    public KubernetesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesException(string message, HttpStatusCode statusCode, string? reason)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The HTTP status the API server answered; null when it was not reached.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The Status reason ("NotFound", "Conflict", "Forbidden", ...), when the server gave one.</summary>
    public string? Reason { get; }
}
