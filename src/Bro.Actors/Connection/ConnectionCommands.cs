using Akka.Event;
using Bro.Protocol;

namespace Bro.Connection;

/// <summary>
/// The commands the registry sends to a connection actor (one per socket). Routed frames never
/// pass through actors (see <see cref="Routing.CallRouter"/>); only a connection's life does.
/// </summary>
/// <remarks>
/// Every command is sent with <c>Tell</c>; none expects an answer. A connection actor that has
/// already stopped simply drops them (dead letters), which is why the registry watches
/// connections instead of waiting for acknowledgements.
/// </remarks>
internal static class ConnectionCommands
{
    /// <summary>
    /// Send an ERROR frame carrying <paramref name="Reason"/> (when given), then close the socket
    /// and stop. Sent by the registry for a duplicate service name and for heartbeat eviction.
    /// </summary>
    /// <param name="Reason">The error to send before closing; <c>null</c> closes silently.</param>
    public sealed record Close(ErrorInfo? Reason) : IDeadLetterSuppression;
}
