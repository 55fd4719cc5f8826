namespace Bro.Gateway.Client;

/// <summary>
/// A client subcommand cannot go on: no gateway at the socket, the connection lost, no answer
/// in time, or an error answer. The console prints <see cref="Exception.Message"/> as its one
/// line on stderr and exits 1.
/// </summary>
internal sealed class CommandFailedException(string message) : Exception(message);
