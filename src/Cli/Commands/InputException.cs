namespace Colabo.Config.Cli.Commands;

/// <summary>A problem with what the user passed (exit code 2), as opposed to errors in the roles.</summary>
internal sealed class InputException(string message) : Exception(message);
