namespace Bro.Routing;

/// <summary>
/// The connections of one service, in registration order, the strategy that spreads calls over
/// them, and a round-robin position. Immutable but for the position, which readers advance
/// concurrently.
/// </summary>
internal sealed class ServicePool
{
    private int _next = -1;

    public ServicePool(CallEndpoint[] endpoints, int next = -1, BalancingStrategy strategy = BalancingStrategy.RoundRobin)
    {
        Endpoints = endpoints;
        _next = next;
        Strategy = strategy;
    }

    /// <summary>The service's connections; never empty.</summary>
    public CallEndpoint[] Endpoints { get; }

    /// <summary>How <see cref="Pick"/> chooses among several connections.</summary>
    public BalancingStrategy Strategy { get; }

    /// <summary>The round-robin position, carried over when the pool changes.</summary>
    public int Position => Volatile.Read(ref _next);

    /// <summary>The connection the next call goes to, by <see cref="Strategy"/>.</summary>
    public CallEndpoint Pick()
    {
        var endpoints = Endpoints;
        // The common service has one connection: no strategy to consult.
        if (endpoints.Length == 1)
            return endpoints[0];
        return Strategy switch
        {
            BalancingStrategy.LeastInFlight => LeastInFlight(endpoints),
            BalancingStrategy.Random => Serving(endpoints, System.Random.Shared.Next(endpoints.Length)),
            _ => endpoints[(uint)Interlocked.Increment(ref _next) % (uint)endpoints.Length],
        };
    }

    /// <summary>
    /// The connection with the fewest calls in flight to it. The scan starts one further each
    /// time, so ties go round-robin. Counts are read without locks: a pick that races with a
    /// delivery may be off by the calls delivered meanwhile, which the next picks even out.
    /// </summary>
    private CallEndpoint LeastInFlight(CallEndpoint[] endpoints)
    {
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Length);
        var best = endpoints[start];
        var fewest = best.IncomingLoad;
        for (var i = 1; i < endpoints.Length && fewest > 0; i++)
        {
            var candidate = endpoints[(start + i) % endpoints.Length];
            var load = candidate.IncomingLoad;
            if (load < fewest)
            {
                best = candidate;
                fewest = load;
            }
        }

        return best;
    }

    /// <summary>
    /// <paramref name="endpoints"/>[<paramref name="index"/>], or the next one still taking
    /// calls: the router retries a refused pick once per connection, and random picks could
    /// keep landing on a connection that closed but is not out of the pool yet.
    /// </summary>
    private static CallEndpoint Serving(CallEndpoint[] endpoints, int index)
    {
        for (var i = 0; i < endpoints.Length; i++)
        {
            var candidate = endpoints[(index + i) % endpoints.Length];
            if (candidate.IncomingLoad != int.MaxValue)
                return candidate;
        }

        return endpoints[index];
    }
}
