namespace Colabo.Config.Master.Security;

public sealed class InvalidCsrException(string message) : Exception(message)
{
    public InvalidCsrException()
        : this("Invalid certificate signing request.")
    {
    }

    public InvalidCsrException(string message, Exception inner)
        : this(message + ": " + inner?.Message)
    {
    }
}
