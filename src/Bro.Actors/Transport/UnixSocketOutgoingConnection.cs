namespace Bro.Transport;

/// <summary>
/// The materialized value of <see cref="UnixSocket.OutgoingConnection"/> once the socket is
/// connected: which path it is connected to.
/// </summary>
/// <param name="Path">The socket path that accepted the connection.</param>
internal sealed record UnixSocketOutgoingConnection(string Path);
