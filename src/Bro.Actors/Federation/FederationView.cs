using System.Collections.Immutable;

namespace Bro.Federation;

/// <summary>What a gateway knows of its cluster: for <c>bro status</c> and <c>bro services</c>.</summary>
/// <param name="Self">This gateway's address.</param>
/// <param name="Members">Every member the gateway sees, with its status (<c>Up</c>, <c>Leaving</c>, ...) and whether it is reachable.</param>
/// <param name="Directory">The directory: which gateway serves which service, this one's included.</param>
public sealed record FederationView(string Self, ImmutableArray<ClusterMemberInfo> Members, ImmutableArray<RemoteServiceInfo> Directory);

/// <summary>One member of the cluster as a gateway sees it.</summary>
/// <param name="Address">The member's Akka address.</param>
/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down.</param>
/// <param name="Reachable">Whether this gateway's failure detector reaches it.</param>
/// <param name="Routed">Whether calls are routed to it (Up, reachable, and trusted when the cluster has a secret).</param>
public sealed record ClusterMemberInfo(string Address, string Status, bool Reachable, bool Routed);

/// <summary>One line of the directory: a service and the gateway serving it.</summary>
/// <param name="Service">The service name.</param>
/// <param name="Gateway">The Akka address of the gateway serving it.</param>
/// <param name="Encoding">The encoding its connections speak there.</param>
/// <param name="Connections">How many connections serve it there.</param>
public sealed record RemoteServiceInfo(string Service, string Gateway, string Encoding, int Connections);
