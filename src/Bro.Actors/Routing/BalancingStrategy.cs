namespace Bro.Routing;

/// <summary>
/// How the gateway spreads the calls to one service over its connections (the connections of
/// a pool, and of every instance of a group). A service with one connection costs the same
/// whatever the strategy: it is picked without looking further.
/// </summary>
public enum BalancingStrategy
{
    /// <summary>Each connection in turn (<c>round-robin</c>); the default.</summary>
    RoundRobin,

    /// <summary>
    /// The connection with the fewest calls delivered to it and not yet answered
    /// (<c>least-in-flight</c>), ties taken in turn: a slow instance gets fewer calls.
    /// </summary>
    LeastInFlight,

    /// <summary>A connection chosen at random (<c>random</c>).</summary>
    Random,
}
