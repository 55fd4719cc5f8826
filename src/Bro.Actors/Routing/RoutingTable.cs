using System.Collections.Immutable;
using Akka.Actor;

namespace Bro.Routing;

/// <summary>
/// An immutable snapshot of where each service can be reached: service name to the connection
/// actors of its pool, in registration order. The registry publishes a new snapshot to the
/// router on every change, so the router never has to ask.
/// </summary>
/// <param name="Services">Service name (ordinal) to its connections; never an empty pool.</param>
public sealed record RoutingTable(ImmutableDictionary<string, ImmutableArray<IActorRef>> Services)
{
    /// <summary>The table with no services.</summary>
    public static RoutingTable Empty { get; } = new(ImmutableDictionary.Create<string, ImmutableArray<IActorRef>>(StringComparer.Ordinal));
}
