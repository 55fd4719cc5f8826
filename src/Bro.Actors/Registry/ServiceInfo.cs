using Bro.Protocol;
using Bro.Routing;
using Bro.Security;

namespace Bro.Registry;

/// <summary>An immutable snapshot of one registered service, answered to registry queries.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Methods">The methods it answers (from its first registration).</param>
/// <param name="Version">The version it announced, if any.</param>
/// <param name="Metadata">The metadata it announced, still encoded, if any.</param>
/// <param name="Connections">Connections in its pool (at least 1).</param>
/// <param name="ConnectedAt">When its first connection registered (gateway clock).</param>
/// <param name="LastHeartbeat">The latest activity seen on any of its connections (gateway clock).</param>
/// <param name="Credentials">Who is at the other end of each of its connections, in registration
/// order (the kernel's <c>SO_PEERCRED</c>); empty where the platform cannot tell (off Linux).</param>
/// <param name="Encodings">The encoding of each of its connections, in registration order.</param>
/// <param name="CallsInFlight">CALLs delivered to it and not answered yet.</param>
/// <param name="CallsServed">RESPONSEs its open connections sent back to callers.</param>
public sealed record ServiceInfo(
    string Name,
    IReadOnlyList<string> Methods,
    string? Version,
    RawValue? Metadata,
    int Connections,
    DateTimeOffset ConnectedAt,
    DateTimeOffset LastHeartbeat,
    IReadOnlyList<PeerCredentials> Credentials,
    IReadOnlyList<BroEncoding> Encodings,
    int CallsInFlight,
    long CallsServed)
{
    /// <summary>
    /// Whether the service was registered as an instance group (<c>metadata.group</c>), so that
    /// other processes may join it as instances. Default <c>false</c>.
    /// </summary>
    public bool IsGroup { get; init; }

    /// <summary>How calls are spread over its connections. Default <see cref="BalancingStrategy.RoundRobin"/>.</summary>
    public BalancingStrategy Balancing { get; init; }

    /// <summary>
    /// Its instances in registration order, each with its own connections; a service that is not
    /// a group has exactly one. Default empty.
    /// </summary>
    public IReadOnlyList<ServiceInstanceInfo> Instances { get; init; } = [];
}
