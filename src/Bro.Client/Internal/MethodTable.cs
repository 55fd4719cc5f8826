using System.Collections.Concurrent;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// A registered handler, reduced to the wire: parameters in, result out, both as
/// <see cref="RawValue"/> in the client's encoding.
/// </summary>
internal delegate Task<RawValue?> MethodHandler(RawValue? parameters, CallContext context);

/// <summary>
/// The methods a client answers. Lock-free reads from the connections' read loops; registrations
/// made after connecting are served at once (REGISTER's list is informational).
/// </summary>
internal sealed class MethodTable
{
    private readonly ConcurrentDictionary<string, MethodHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces the handler of <paramref name="name"/>.</summary>
    public void Register(string name, MethodHandler handler) => _handlers[name] = handler;

    /// <summary>Removes <paramref name="name"/>; <c>false</c> when it was not registered.</summary>
    public bool Unregister(string name) => _handlers.TryRemove(name, out _);

    /// <summary>Finds the handler of <paramref name="name"/>.</summary>
    public bool TryGet(string name, out MethodHandler handler) => _handlers.TryGetValue(name, out handler!);

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _handlers.Keys.Order(StringComparer.Ordinal)];
}
