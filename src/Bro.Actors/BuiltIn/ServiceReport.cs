namespace Bro.BuiltIn;

/// <summary>One registered service, as <see cref="BroService.Services"/> answers it.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Methods">The methods it answers.</param>
/// <param name="Version">The version it announced, if any.</param>
/// <param name="Connections">Connections in its pool.</param>
/// <param name="Encodings">The encoding of each connection (<c>json</c>, <c>msgpack</c>), in registration order.</param>
/// <param name="ConnectedAt">When its first connection registered (gateway clock).</param>
/// <param name="Peers">Who is at the other end of each connection; empty where the platform cannot tell.</param>
/// <param name="CallsInFlight">CALLs delivered to it and not answered yet.</param>
/// <param name="CallsServed">RESPONSEs its open connections sent back to callers.</param>
/// <param name="Instances">The ids of its instances (one unless it is an instance group), in registration order.</param>
/// <param name="Balancing">How calls are spread over its connections (<c>round-robin</c>, <c>least-in-flight</c>, <c>random</c>).</param>
public sealed record ServiceReport(
    string Name,
    IReadOnlyList<string> Methods,
    string? Version,
    int Connections,
    IReadOnlyList<string> Encodings,
    DateTimeOffset ConnectedAt,
    IReadOnlyList<PeerReport> Peers,
    int CallsInFlight,
    long CallsServed,
    IReadOnlyList<string> Instances,
    string Balancing);
