using System.Collections.Immutable;

namespace Bro.Federation;

/// <summary>What a gateway knows of its cluster: for <c>bro status</c> and <c>bro services</c>.</summary>
/// <param name="Self">This gateway's address.</param>
/// <param name="Members">Every member the gateway sees, with its status (<c>Up</c>, <c>Leaving</c>, ...) and whether it is reachable.</param>
/// <param name="Directory">The directory: which gateway serves which service, this one's included.</param>
public sealed record FederationView(string Self, ImmutableArray<ClusterMemberInfo> Members, ImmutableArray<RemoteServiceInfo> Directory)
{
    /// <summary>The port this gateway's data links arrive on (<c>bro.gateway.cluster.data-port</c>, or the free one it picked).</summary>
    public int DataPort { get; init; }
}
