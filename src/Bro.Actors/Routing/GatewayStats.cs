using System.Collections.Immutable;

namespace Bro.Routing;

/// <summary>The router's counters since it started, answered to <see cref="RouterActor.GetStats"/>.</summary>
/// <param name="CallsRouted">CALLs forwarded to a target connection.</param>
/// <param name="ResponsesRouted">RESPONSEs forwarded to a caller connection.</param>
/// <param name="ResponsesDropped">RESPONSEs that answered no call in flight delivered to the connection
/// that sent them (unknown id, already answered or expired, or another connection's call): dropped.</param>
/// <param name="PendingCalls">CALLs in flight now (forwarded, neither answered nor expired).</param>
/// <param name="ErrorsByCode">Error RESPONSEs the gateway sent, by error code.</param>
/// <param name="Connections">Peer connections open now, registered or not.</param>
internal sealed record GatewayStats(
    long CallsRouted,
    long ResponsesRouted,
    long ResponsesDropped,
    int PendingCalls,
    ImmutableDictionary<string, long> ErrorsByCode,
    int Connections = 0)
{
    /// <summary>The number of error RESPONSEs sent with <paramref name="code"/>, 0 if none.</summary>
    public long Errors(string code) => ErrorsByCode.TryGetValue(code, out var n) ? n : 0;
}
