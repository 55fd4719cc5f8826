namespace Bro.Routing;

/// <summary>
/// The connections of one service, in registration order, and a round-robin position over them.
/// Immutable but for the position, which readers advance concurrently.
/// </summary>
internal sealed class ServicePool
{
    private int _next = -1;

    public ServicePool(CallEndpoint[] endpoints, int next = -1)
    {
        Endpoints = endpoints;
        _next = next;
    }

    /// <summary>The service's connections; never empty.</summary>
    public CallEndpoint[] Endpoints { get; }

    /// <summary>The round-robin position, carried over when the pool changes.</summary>
    public int Position => Volatile.Read(ref _next);

    /// <summary>The next connection in turn.</summary>
    public CallEndpoint Pick()
    {
        var endpoints = Endpoints;
        if (endpoints.Length == 1)
            return endpoints[0];
        var turn = (uint)Interlocked.Increment(ref _next);
        return endpoints[turn % (uint)endpoints.Length];
    }
}
