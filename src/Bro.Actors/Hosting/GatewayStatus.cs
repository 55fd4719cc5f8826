using System.Collections.Immutable;

namespace Bro.Hosting;

/// <summary>A snapshot of a running gateway, answered by <see cref="BroGateway.GetStatusAsync"/>.</summary>
/// <param name="Running">Whether the gateway is listening.</param>
/// <param name="SocketPath">The socket it listens on.</param>
/// <param name="ConnectedServices">How many services are registered.</param>
/// <param name="Services">Their names, in order.</param>
/// <param name="CallsRouted">CALLs forwarded since start.</param>
/// <param name="ResponsesRouted">RESPONSEs forwarded since start.</param>
/// <param name="PendingCalls">CALLs in flight now.</param>
/// <param name="ErrorsByCode">Error RESPONSEs the gateway sent itself, by code.</param>
/// <param name="ResponsesDropped">RESPONSEs dropped since start because they answered no call in flight
/// delivered to the connection that sent them (unknown or expired id, or another connection's call).</param>
public sealed record GatewayStatus(
    bool Running,
    string SocketPath,
    int ConnectedServices,
    IReadOnlyList<string> Services,
    long CallsRouted,
    long ResponsesRouted,
    int PendingCalls,
    ImmutableDictionary<string, long> ErrorsByCode,
    long ResponsesDropped = 0);
