using System.Collections.Concurrent;

namespace Bro.Routing;

/// <summary>
/// Where each service can be reached: service name to its <see cref="ServicePool"/>. The
/// registry is its only writer for peers' services and updates it before it acknowledges a
/// registration; the gateway adds the built-in service (<see cref="BuiltIn.BroService"/>) once
/// at start; in a cluster, the federation adds the services other gateways serve
/// (<see cref="SetRemote"/>). Every connection's reader looks targets up in it without locks or
/// messages.
/// </summary>
/// <remarks>
/// A pool is worked out when a route changes, never per call: the local connections of a
/// service, its remote gateways, or both (<see cref="PreferLocal"/>). Writers take a lock,
/// readers none; without a cluster no remote route is ever set and a pool is what the registry
/// gave.
/// </remarks>
internal sealed class RouteTable
{
    private readonly ConcurrentDictionary<string, ServicePool> _pools = new(StringComparer.Ordinal);
    // What each writer set, under _gate: a pool is published from both.
    private readonly Dictionary<string, (CallEndpoint[] Endpoints, BalancingStrategy Strategy)> _local = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CallEndpoint[]> _remote = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>
    /// Called with the service's name after <see cref="Set"/> gave it connections, on the
    /// registry's thread: the router routes the calls that waited for it to register.
    /// </summary>
    public Action<string>? ServiceAdded { get; set; }

    /// <summary>Called after every <see cref="Set"/>, on the registry's thread: the federation republishes what this gateway serves.</summary>
    public Action? LocalChanged { get; set; }

    /// <summary>
    /// Whether a service with local connections is routed to them only (default), rather than
    /// spread over its local connections and its remote gateways alike.
    /// </summary>
    public bool PreferLocal { get; init; } = true;

    /// <summary>The pool of <paramref name="service"/>, if it is registered.</summary>
    public bool TryGet(string service, out ServicePool pool) => _pools.TryGetValue(service, out pool!);

    /// <summary>
    /// Sets the local connections of <paramref name="service"/> and how calls are spread over
    /// them, keeping its round-robin position; an empty list removes them.
    /// </summary>
    public void Set(string service, IReadOnlyCollection<CallEndpoint> endpoints, BalancingStrategy strategy = BalancingStrategy.RoundRobin)
    {
        bool routed;
        lock (_gate)
        {
            if (endpoints.Count == 0)
                _local.Remove(service);
            else
                _local[service] = ([.. endpoints], strategy);
            routed = Publish(service);
        }

        if (routed && endpoints.Count > 0)
            ServiceAdded?.Invoke(service);
        LocalChanged?.Invoke();
    }

    /// <summary>
    /// Sets the gateways elsewhere in the cluster that serve <paramref name="service"/> (one
    /// <see cref="Federation.PeerEndpoint"/> each); an empty list removes them.
    /// </summary>
    public void SetRemote(string service, IReadOnlyCollection<CallEndpoint> endpoints)
    {
        bool routed;
        lock (_gate)
        {
            if (endpoints.Count == 0)
                _remote.Remove(service);
            else
                _remote[service] = [.. endpoints];
            routed = Publish(service);
        }

        if (routed && endpoints.Count > 0)
            ServiceAdded?.Invoke(service);
    }

    /// <summary>The services with local connections, each with its connections (the built-in service included).</summary>
    public IReadOnlyList<(string Service, CallEndpoint[] Endpoints)> LocalServices()
    {
        lock (_gate)
            return [.. _local.Select(e => (e.Key, e.Value.Endpoints))];
    }

    /// <summary>Publishes the pool of <paramref name="service"/> from both writers; true when it has one.</summary>
    private bool Publish(string service)
    {
        var hasLocal = _local.TryGetValue(service, out var local);
        var hasRemote = _remote.TryGetValue(service, out var remote);
        CallEndpoint[] endpoints = (hasLocal, hasRemote) switch
        {
            (true, false) => local.Endpoints,
            (false, true) => remote!,
            (true, true) => PreferLocal ? local.Endpoints : [.. local.Endpoints, .. remote!],
            _ => [],
        };

        if (endpoints.Length == 0)
        {
            _pools.TryRemove(service, out _);
            return false;
        }

        var position = _pools.TryGetValue(service, out var old) ? old.Position : -1;
        _pools[service] = new ServicePool(endpoints, position, hasLocal ? local.Strategy : BalancingStrategy.RoundRobin);
        return true;
    }

    /// <summary>How many services peers registered: the gateway's built-in service is not one of them.</summary>
    public int Count => _pools.Count - (_pools.ContainsKey(BuiltIn.BroService.Name) ? 1 : 0);

    /// <summary>The registered service names, for tests and diagnostics.</summary>
    public IReadOnlyCollection<string> Services => [.. _pools.Keys];
}
