using System.Collections.Concurrent;

namespace Bro.Routing;

/// <summary>
/// Where each service can be reached: service name to its <see cref="ServicePool"/>. The
/// registry is its only writer for peers' services and updates it before it acknowledges a
/// registration; the gateway adds the built-in service (<see cref="BuiltIn.BroService"/>) once
/// at start. Every connection's reader looks targets up in it without locks or messages.
/// </summary>
internal sealed class RouteTable
{
    private readonly ConcurrentDictionary<string, ServicePool> _pools = new(StringComparer.Ordinal);

    /// <summary>
    /// Called with the service's name after <see cref="Set"/> gave it connections, on the
    /// registry's thread: the router routes the calls that waited for it to register.
    /// </summary>
    public Action<string>? ServiceAdded { get; set; }

    /// <summary>The pool of <paramref name="service"/>, if it is registered.</summary>
    public bool TryGet(string service, out ServicePool pool) => _pools.TryGetValue(service, out pool!);

    /// <summary>
    /// Sets the connections of <paramref name="service"/> and how calls are spread over them,
    /// keeping its round-robin position; an empty list removes the service.
    /// </summary>
    public void Set(string service, IReadOnlyCollection<CallEndpoint> endpoints, BalancingStrategy strategy = BalancingStrategy.RoundRobin)
    {
        if (endpoints.Count == 0)
        {
            _pools.TryRemove(service, out _);
            return;
        }

        var position = _pools.TryGetValue(service, out var old) ? old.Position : -1;
        _pools[service] = new ServicePool([.. endpoints], position, strategy);
        ServiceAdded?.Invoke(service);
    }

    /// <summary>How many services peers registered: the gateway's built-in service is not one of them.</summary>
    public int Count => _pools.Count - (_pools.ContainsKey(BuiltIn.BroService.Name) ? 1 : 0);

    /// <summary>The registered service names, for tests and diagnostics.</summary>
    public IReadOnlyCollection<string> Services => [.. _pools.Keys];
}
