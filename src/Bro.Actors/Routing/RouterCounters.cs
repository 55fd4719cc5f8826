namespace Bro.Routing;

/// <summary>The router's running totals, over open and closed connections (see <see cref="CallRouter.Counters"/>).</summary>
/// <param name="CallsRouted">CALLs forwarded to a target.</param>
/// <param name="ResponsesRouted">RESPONSEs forwarded to a caller.</param>
/// <param name="ResponsesDropped">RESPONSEs that answered no call in flight, dropped.</param>
/// <param name="CallsInFlight">CALLs forwarded and neither answered nor expired.</param>
/// <param name="BytesReceived">Bytes read from the connections' sockets.</param>
/// <param name="BytesSent">Bytes written to the connections' sockets.</param>
/// <param name="Connections">Peer connections open now (the built-in service's endpoint not counted).</param>
internal readonly record struct RouterCounters(
    long CallsRouted, long ResponsesRouted, long ResponsesDropped, long CallsInFlight, long BytesReceived, long BytesSent, int Connections);
