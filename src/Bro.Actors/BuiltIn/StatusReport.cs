namespace Bro.BuiltIn;

/// <summary>The answer to <see cref="BroService.Status"/>: the gateway's counters since it started.</summary>
/// <param name="Gateway">The gateway's name (<c>bro.gateway.gateway-name</c>).</param>
/// <param name="Version">The gateway's version.</param>
/// <param name="SocketPath">The socket it listens on.</param>
/// <param name="StartedAt">When it started (gateway clock).</param>
/// <param name="UptimeMs">Milliseconds since then.</param>
/// <param name="Connections">Open connections, registered or not.</param>
/// <param name="Services">Registered services (the built-in one not counted).</param>
/// <param name="CallsRouted">CALLs forwarded to a target.</param>
/// <param name="ResponsesRouted">RESPONSEs forwarded to a caller.</param>
/// <param name="ResponsesDropped">RESPONSEs that answered no call in flight, dropped.</param>
/// <param name="CallsInFlight">CALLs forwarded and not answered yet.</param>
/// <param name="ErrorsByCode">Error RESPONSEs the gateway sent itself, by code.</param>
public sealed record StatusReport(
    string Gateway,
    string Version,
    string SocketPath,
    DateTimeOffset StartedAt,
    long UptimeMs,
    int Connections,
    int Services,
    long CallsRouted,
    long ResponsesRouted,
    long ResponsesDropped,
    int CallsInFlight,
    IReadOnlyDictionary<string, long> ErrorsByCode);
