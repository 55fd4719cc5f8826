using Akka.Event;
using Akka.IO;
using Bro.Protocol;

namespace Bro.Connection;

/// <summary>
/// The commands the registry and the router send to a connection actor (one per socket).
/// They are the whole contract between the gateway's core and its connections: the core
/// never touches a socket, an encoding or an outbound queue.
/// </summary>
/// <remarks>
/// Every command is sent with <c>Tell</c>; none expects an answer. A connection actor that has
/// already stopped simply drops them (dead letters), which is why the core watches
/// connections instead of waiting for acknowledgements.
/// </remarks>
public static class ConnectionCommands
{
    /// <summary>
    /// Forward a frame received on another connection, as its original payload.
    /// Sent by the router: a CALL to the target's connection, a RESPONSE to the caller's.
    /// </summary>
    /// <param name="Payload">The frame's payload (without the 4-byte length prefix), untouched.</param>
    /// <param name="Encoding">The payload's encoding. The connection writes the bytes as they are
    /// when it speaks the same encoding, and transcodes only when its own encoding differs.</param>
    public sealed record Deliver(ByteString Payload, BroEncoding Encoding)
    {
        // Dead letters and debug logs print messages: a size, not a megabyte of payload.
        private bool PrintMembers(System.Text.StringBuilder builder)
        {
            builder.Append("Payload = ").Append(Payload.Count).Append(" bytes, Encoding = ").Append(Encoding);
            return true;
        }
    }

    /// <summary>
    /// Send a frame the gateway itself originates (REGISTER_ACK, ERROR, an error RESPONSE);
    /// the connection encodes it in its own encoding.
    /// </summary>
    /// <param name="Message">The frame to encode and write.</param>
    public sealed record Send(BroMessage Message);

    /// <summary>
    /// Send an ERROR frame carrying <paramref name="Reason"/> (when given), then close the socket
    /// and stop. Sent by the registry for a duplicate service name and for heartbeat eviction.
    /// </summary>
    /// <param name="Reason">The error to send before closing; <c>null</c> closes silently.</param>
    public sealed record Close(ErrorInfo? Reason) : IDeadLetterSuppression;
}
