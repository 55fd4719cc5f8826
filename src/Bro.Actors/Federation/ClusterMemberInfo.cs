namespace Bro.Federation;

/// <summary>One member of the cluster as a gateway sees it.</summary>
/// <param name="Address">The member's Akka address.</param>
/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down.</param>
/// <param name="Reachable">Whether this gateway's failure detector reaches it.</param>
/// <param name="Routed">Whether calls are routed to it (Up, reachable, and trusted when the cluster has a secret).</param>
public sealed record ClusterMemberInfo(string Address, string Status, bool Reachable, bool Routed);
